/**
 * Inbound replies that opt the sender out of everything, at once (DOMAIN.md). Single letters
 * T and R are Chinese provider conventions ("回T退订", "拒收请回复R").
 */
export const OPT_OUT_KEYWORDS = [
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
  "TD",
  "T",
  "R",
  "退订",
] as const;

/** Twilio's re-subscribe keywords. */
export const OPT_IN_KEYWORDS = ["START", "UNSTOP", "YES"] as const;

const OPT_OUT = new Set<string>(OPT_OUT_KEYWORDS);
const OPT_IN = new Set<string>(OPT_IN_KEYWORDS);

// Punctuation and symbols at either end ("STOP.", "退订！", "「TD」", "*stop*"), plus spaces.
const EDGES = /^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu;

/**
 * Canonical form of a reply for keyword matching: NFKC (full-width "ＳＴＯＰ" → "STOP",
 * "！" → "!"), edges of whitespace/punctuation stripped, upper-cased. "退訂" (traditional)
 * is mapped to "退订" since Taiwanese and Hong Kong users reply with it.
 */
export function normalizeReply(body: string): string {
  return body.normalize("NFKC").replace(EDGES, "").toUpperCase().replaceAll("退訂", "退订");
}

/**
 * True when the whole reply is an opt-out keyword. Exact keyword only: "stop sending me
 * coupons please" is not a match, because carriers match whole-message keywords too and
 * free text must go to a human rather than silently unsubscribe (or, worse, be read as
 * consent by a looser matcher elsewhere). Internal whitespace is not ignored: "STOP ALL" is
 * two words and not a keyword.
 */
export function isOptOutReply(body: string): boolean {
  return OPT_OUT.has(normalizeReply(body));
}

/** True when the whole reply is START, UNSTOP or YES (same normalization as opt-out). */
export function isOptInReply(body: string): boolean {
  return OPT_IN.has(normalizeReply(body));
}
