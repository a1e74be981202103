import { parsePhoneNumberFromString } from "libphonenumber-js";

/** +8613812341234 → 138****1234: the national number with its middle hidden, as support expects. */
export function maskPhone(e164: string): string {
  const digits = (parsePhoneNumberFromString(e164)?.nationalNumber ?? e164).replace(/\D/g, "");
  if (digits.length <= 4) return "****";
  const head = digits.slice(0, Math.min(3, digits.length - 4));
  return `${head}****${digits.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const at = email.indexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***${email.slice(at)}`;
}

/**
 * Roles that see contact details in clear. Everyone else — support, and any role added later
 * until it is listed here — sees them masked, wherever they appear: contact pages, audience
 * previews, and templates rendered for a real contact (simulate, preview), where `{{ user.email }}`
 * once printed the clear address to support.
 */
const CLEAR_ROLES: ReadonlySet<string> = new Set(["admin", "marketer", "engineer"]);

export function seesMaskedData(role: string | undefined): boolean {
  return role === undefined || !CLEAR_ROLES.has(role);
}

/** The email as a role sees it: masked unless the role sees clear data. */
export function emailFor(role: string | undefined, email: string): string {
  return seesMaskedData(role) ? maskEmail(email) : email;
}

const E164_IN_TEXT = /\+\d{7,15}\b/g;
// Any address-shaped token, bounded on both sides so the scan stays linear on long text.
const EMAIL_IN_TEXT = /[^\s@<>()[\]"',;:]{1,64}@[^\s@<>()[\]"',;:]{1,253}/g;

/**
 * Free text about a contact (a sent message's body, a provider's error) as a masked role sees
 * it: the contact's email, any other address-shaped token and any E.164 number in it masked.
 * A template may print `{{ user.email }}` into a body, and Twilio's errors quote the `To` number.
 */
export function maskText(text: string, email: string | null): string {
  let out = text.replace(E164_IN_TEXT, (n) => maskPhone(n));
  if (email) {
    const masked = maskEmail(email);
    out = out.replace(new RegExp(escapeRegExp(email), "gi"), () => masked);
  }
  return out.replace(EMAIL_IN_TEXT, (e) => (e.includes("***@") ? e : maskEmail(e)));
}

/**
 * A timeline entry (or any flat record of text about a contact) as a masked role sees it: every
 * string value through `maskText`. The copy has no prototype, so an own `__proto__` key stays
 * data.
 */
export function maskStrings<T extends Record<string, unknown>>(entry: T, email: string | null): T {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(entry))
    out[k] = typeof v === "string" ? maskText(v, email) : v;
  return out as T;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
