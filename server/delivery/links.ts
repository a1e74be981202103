import { randomBytes } from "node:crypto";
import { type LinkShape, trackedLink } from "../../engine/sms/index.ts";
import type { LinkTokenRow } from "./sql/links.ts";

export { insertLinkTokens, type LinkTokenRow } from "./sql/links.ts";

/**
 * Tracked links for SMS. A link in a message becomes `<public url>/l/<token>`: a random token
 * per recipient and link (16 bytes, base64url: unguessable, 22 characters of the SMS budget
 * plus the host), resolved on click by GET /l/:token.
 *
 * How the ticker uses this, batch-friendly: the body is rendered before the message row (and
 * its id) exists, so tokens are minted first — `linkCollector` gives the renderer a
 * synchronous `trackLink(url)` that returns the short URL and remembers {token, url}. After the
 * batch's multi-row INSERT into messages returns ids, `linkTokenRows` turns every message's
 * collected links into rows and `insertLinkTokens` writes them all in one statement, in the
 * same transaction.
 */

export const DEFAULT_LINK_TTL_MS = 30 * 86_400_000;
const TOKEN_BYTES = 16;
/** Unpadded base64url of TOKEN_BYTES: what every tracked link costs after `${base}/l/`. */
export const LINK_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
export const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${LINK_TOKEN_LENGTH}}$`);

export function newLinkToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** The one tracked-URL form (engine/sms/compose.ts), shared with previews and counters. */
export const trackedUrl = trackedLink;

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
  url: string;
}

/** Collects the links of one message while it is rendered. */
export function linkCollector(publicUrl: string): {
  trackLink: (url: string) => string;
  links: () => MintedLink[];
} {
  const minted: MintedLink[] = [];
  return {
    trackLink(url) {
      assertLinkable(url);
      const token = newLinkToken();
      minted.push({ token, url });
      return trackedUrl(publicUrl, token);
    },
    links: () => [...minted],
  };
}

/**
 * Rows for link_tokens from a batch of enqueued messages. A link given without a token (a URL
 * not minted through `linkCollector`) gets a fresh one.
 */
export function linkTokenRows(
  messages: readonly {
    messageId: number;
    contactId: number;
    urls: readonly (string | MintedLink)[];
  }[],
  now: Date,
  ttlMs: number = DEFAULT_LINK_TTL_MS,
): LinkTokenRow[] {
  const expiresAt = new Date(now.getTime() + ttlMs);
  const rows: LinkTokenRow[] = [];
  for (const m of messages) {
    for (const link of m.urls) {
      const { token, url } = typeof link === "string" ? { token: newLinkToken(), url: link } : link;
      assertLinkable(url);
      rows.push({ token, messageId: m.messageId, contactId: m.contactId, url, expiresAt });
    }
  }
  return rows;
}

/** Only http(s) targets: a redirect to `javascript:` or `data:` from our domain is an attack. */
export function isLinkable(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}

function assertLinkable(url: string): void {
  if (!isLinkable(url)) throw new Error(`not an http(s) URL: ${url.slice(0, 100)}`);
}
