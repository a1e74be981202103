import { isValidZone, type NormalizedPhone, normalizePhone } from "../../engine/time/index.ts";

/**
 * Profile field checks, each linear in its input and bounded before any library sees it. The
 * email regex this replaces (`^[^\s@]+@[^\s@]+\.[^\s@]+$`) backtracked quadratically: a 150 KB
 * address held the event loop for 16 s, stalling the API, the ticker and delivery.
 */

/** RFC 5321: 64 for the local part, 254 for the whole path. */
const MAX_EMAIL = 254;
const MAX_LOCAL = 64;

/** The address trimmed and lower-cased, or null when it is not one (isEmail). */
export function checkEmail(input: string): string | null {
  if (input.length > MAX_EMAIL + 64) return null;
  const s = input.trim().toLowerCase();
  return isEmail(s) ? s : null;
}

/**
 * A deliverable-looking address in one pass: exactly one `@`, a local part of 1–64 and a domain
 * with at least one dot, no empty or edge labels, no spaces, controls or `<>()[],;:"\`.
 * Deliberately not the full RFC 5322 grammar (quoted local parts, IP literals): those are
 * valid on paper and undeliverable in practice.
 */
export function isEmail(s: string): boolean {
  if (s.length < 3 || s.length > MAX_EMAIL) return false;
  const at = s.indexOf("@");
  if (at < 1 || at > MAX_LOCAL || at !== s.lastIndexOf("@")) return false;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || FORBIDDEN.has(c)) return false;
    if (i > at) {
      if (c === 0x2e) {
        // A dot neither first nor last in the domain, nor doubled.
        if (i === at + 1 || i === s.length - 1 || s.charCodeAt(i - 1) === 0x2e) return false;
        dots++;
      } else if (c === 0x2d && (s.charCodeAt(i - 1) === 0x2e || i === at + 1)) return false;
    }
  }
  return dots > 0;
}
const FORBIDDEN = new Set([...'<>()[],;:"\\'].map((c) => c.charCodeAt(0)));

/** Phone numbers are at most 15 digits (E.164); formatting never needs more than 40 characters. */
export function checkPhone(input: string): NormalizedPhone | null {
  return input.length > 40 ? null : normalizePhone(input);
}

/** IANA zone names are short ("America/Argentina/ComodRivadavia" is the longest, 32). */
export function checkZone(input: string): boolean {
  return input.length <= 64 && isValidZone(input);
}

/** A BCP 47 tag (`zh-CN`, `en-US`), canonicalized; null when it is not one. */
export function checkLocale(input: string): string | null {
  if (input.length === 0 || input.length > 35) return null;
  try {
    // Java and Android write en_US; the tag is en-US.
    return Intl.getCanonicalLocales(input.replaceAll("_", "-"))[0] ?? null;
  } catch {
    return null;
  }
}
