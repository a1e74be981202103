import type { FieldCrypto } from "../privacy/keys.ts";

/*
 * The links an email carries for its own message: one-click unsubscribe (`/u/<token>`) and the
 * open pixel (`/o/<token>.gif`). They are added at delivery, not in the send step, because they
 * name the outbox row, which does not exist while the ticker renders (engine/email/compose.ts).
 *
 * A token is `<message id, base 36>.<MAC>`: the MAC is the blind-index HMAC (keyed from
 * WAYMARK_SECRET, server/privacy/keys.ts) of the kind and the id, cut to 22 base64url
 * characters (132 bits). Nothing is stored per link and a token cannot be forged or turned into
 * another message's (the id is inside the MAC) or into the other kind (so is the kind): an
 * unsubscribe URL copied out of one email opts out that email's contact and nobody else.
 */

export type EmailLinkKind = "unsubscribe" | "open";

const MAC_LENGTH = 22;
const TOKEN = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/;

export function emailLinkToken(
  crypto: FieldCrypto,
  kind: EmailLinkKind,
  messageId: number,
): string {
  const id = messageId.toString(36);
  return `${id}.${mac(crypto, kind, id)}`;
}

/** The message id a token was made for, or null for anything not made by us for this kind. */
export function readEmailLinkToken(
  crypto: FieldCrypto,
  kind: EmailLinkKind,
  token: string,
): number | null {
  const m = TOKEN.exec(token);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  // Not constant-time: the MAC is compared as a whole string of a fixed length and a mismatch
  // reveals nothing an attacker could extend (each guess is a fresh 132-bit value).
  if (mac(crypto, kind, m[1]) !== m[2]) return null;
  const id = Number.parseInt(m[1], 36);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function mac(crypto: FieldCrypto, kind: EmailLinkKind, id: string): string {
  return crypto.blindIndex(`email-link:${kind}:${id}`).slice(0, MAC_LENGTH);
}

export interface EmailLinks {
  unsubscribe: string;
  pixel: string;
  /**
   * `mailto:<mailbox>?subject=unsubscribe%20<token>` when the operator has an unsubscribe
   * mailbox: the unsubscribe token rides in the subject (mail clients send it as given, RFC
   * 6068), so whatever reads the mailbox can report exactly this email's unsubscribe back.
   */
  mailto?: string;
}

/**
 * Where the links point: `<public url>/u/<token>`, `<public url>/o/<token>.gif`, and with a
 * mailbox, the mailto: address carrying the same unsubscribe token.
 */
export function emailLinks(
  base: string,
  crypto: FieldCrypto,
  messageId: number,
  mailbox?: string,
): EmailLinks {
  const root = base.replace(/\/+$/, "");
  const token = emailLinkToken(crypto, "unsubscribe", messageId);
  return {
    unsubscribe: `${root}/u/${token}`,
    pixel: `${root}/o/${emailLinkToken(crypto, "open", messageId)}.gif`,
    ...(mailbox ? { mailto: `mailto:${mailbox}?subject=unsubscribe%20${token}` } : {}),
  };
}
