import { randomBytes } from "node:crypto";
import type { MessagePayload } from "../../engine/effects.ts";
import { type LinkShape, trackedLink } from "../../engine/sms/index.ts";
import { assertLinkable } from "../../engine/template/links.ts";
import { insertLinkTokens } from "./sql/links.ts";

/**
 * Tracked links, the one implementation: the ticker, the editor's test send, previews and the
 * counter all mint, check and store them through this module, so the link a tester taps, the
 * one a customer taps and the one the counter bills are made the same way.
 *
 * A link in a message becomes `<public url>/l/<token>` (engine/sms/compose.ts `trackedLink`): a
 * random token per recipient and link (16 bytes, base64url: unguessable, 22 characters of the
 * SMS budget plus the host), resolved on click by GET /l/:token (delivery/routes.ts) until
 * WAYMARK_LINK_TTL_DAYS after the message was queued.
 *
 * Batch-friendly: a body is rendered before its message row (and id) exists, so tokens are
 * minted first — `linkMinter` gives the renderer a synchronous `trackLink(url)` that returns
 * the short URL and remembers the token. Once the messages' INSERT returns their ids,
 * `linksCarried` says which minted links each message holds and `storeLinks` writes them all
 * in one statement, in the same transaction.
 */

const TOKEN_BYTES = 16;
/** Unpadded base64url of TOKEN_BYTES: what every tracked link costs after `${base}/l/`. */
export const LINK_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
export const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${LINK_TOKEN_LENGTH}}$`);

function newLinkToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/**
 * The links this server mints, for previews and the editor's counter: the public URL when set
 * (WAYMARK_PUBLIC_URL), else the address the console was reached at, which is what
 * `waymark start` mints with when no public URL is set (server.ts: its own URL).
 */
export function linkShapeFor(publicUrl: string | undefined, origin: string): LinkShape {
  return { base: publicUrl ?? origin, tokenLength: LINK_TOKEN_LENGTH };
}

export interface MintedLink {
  token: string;
  /** The target the click redirects to. */
  url: string;
  /** The tracked URL put in the message, `${base}/l/${token}`. */
  short: string;
}

export interface LinkMinter {
  /**
   * The template `track` filter (EnginePorts.trackLink): a fresh token for `url`, remembered.
   * Throws on a target that is not http(s); the renderer turns the throw into a failed render,
   * so the send is suppressed (`template_error`, the URL in its detail) or the test send
   * refused, rather than a message going out with a link that cannot resolve.
   */
  trackLink: (url: string) => string;
  /** The links minted since the last `clear`, in order. */
  minted: () => readonly MintedLink[];
  /** Forgets the minted links: the ticker reuses one minter for a whole batch, row by row. */
  clear: () => void;
}

/** Mints links to `base` (the public URL, else the server's own address). */
export function linkMinter(base: string): LinkMinter {
  let minted: MintedLink[] = [];
  return {
    trackLink(url) {
      assertLinkable(url);
      const token = newLinkToken();
      const short = trackedLink(base, token);
      minted.push({ token, url, short });
      return short;
    },
    minted: () => minted,
    clear() {
      if (minted.length > 0) minted = [];
    },
  };
}

/**
 * The minted links a message carries: those whose tracked URL is in its text, an email's HTML
 * or a webhook's URL, headers or body. Minting order no longer says which message a link
 * belongs to (one step may render several sends, some then suppressed or deferred); the message
 * does, and a link no message carries is dropped rather than stored.
 */
export function linksCarried(
  minted: readonly MintedLink[],
  body: string,
  payload: MessagePayload | null | undefined,
): { token: string; url: string }[] {
  if (minted.length === 0) return [];
  const text = payload ? `${body}\n${payloadText(payload)}` : body;
  const out: { token: string; url: string }[] = [];
  for (const l of minted) if (text.includes(l.short)) out.push({ token: l.token, url: l.url });
  return out;
}

function payloadText(p: MessagePayload): string {
  // A webhook request has a URL; an email has its (optional) HTML; a push its click URL; a template SMS's
  // parameters carry no tracked links (mainland providers forbid variable links).
  if ("kind" in p) return "";
  // A push's click URL is the tracked link itself.
  if ("title" in p) return p.url ?? "";
  if ("url" in p) return [p.url, ...Object.values(p.headers), p.body ?? ""].join("\n");
  return p.html ?? "";
}

/** A queued message's tracked links, once the message has an id. */
export interface MessageLinks {
  messageId: number;
  contactId: number;
  links: readonly { token: string; url: string }[];
}

/**
 * Stores the links of queued messages in one statement, in the caller's transaction: they
 * resolve until `now` + `ttlMs` (WAYMARK_LINK_TTL_DAYS, DeliveryConfig.linkTtlMs). Returns the
 * number of links stored.
 */
export async function storeLinks(
  db: Parameters<typeof insertLinkTokens>[0],
  messages: readonly MessageLinks[],
  now: Date,
  ttlMs: number,
): Promise<number> {
  const rows: { token: string; messageId: number; contactId: number; url: string }[] = [];
  for (const m of messages) {
    for (const l of m.links) {
      rows.push({ token: l.token, messageId: m.messageId, contactId: m.contactId, url: l.url });
    }
  }
  return insertLinkTokens(db, rows, new Date(now.getTime() + ttlMs));
}
