import { normalizePhone } from "./phone.ts";
import { COUNTRY_ZONES } from "./resolve-zone.ts";

/**
 * The E.164 numbers a phone typed by support may mean (issue #16: "(310) 555-0101",
 * "+1 310 555 0101", "138 0013 8000" must all find the contact). Phones are stored encrypted
 * with a blind index of their E.164 form, so a search can only match exact E.164 numbers: the
 * text is turned into every plausible E.164 and each one's index is looked up.
 *
 * - An explicit `+` country code wins: exactly that number, or nothing.
 * - A national number is tried in the workspace's region (from its time zone: the workspace
 *   has no country setting), in CN when it has the shape of a mainland mobile (11 digits,
 *   1[3-9]…), and in US/CA (+1, one numbering plan) when it has 10 digits or 11 with a
 *   leading 1. Only valid numbers count.
 *
 * Bounded: at most MAX_PHONE_CANDIDATES numbers, and they differ only in country code, so a
 * search never probes more than one guess at a masked number's hidden digits (the
 * mask-recovery throttle in server/privacy/lookup-audit.ts still counts one search as one try).
 */
export const MAX_PHONE_CANDIDATES = 3;

/** Formatting characters support pastes: spaces, dashes, dots, parentheses. */
const PHONE_TEXT = /^\+?[\d\s().-]+$/;

/** Zones beyond COUNTRY_ZONES' one-per-country that a workspace commonly runs in. */
const EXTRA_ZONE_COUNTRIES: Readonly<Record<string, string>> = {
  "America/Chicago": "US",
  "America/Denver": "US",
  "America/Phoenix": "US",
  "America/Los_Angeles": "US",
  "America/Anchorage": "US",
  "Pacific/Honolulu": "US",
  "America/Vancouver": "CA",
  "America/Edmonton": "CA",
  "America/Winnipeg": "CA",
  "America/Halifax": "CA",
  "Asia/Chongqing": "CN",
  "Asia/Harbin": "CN",
  "Asia/Urumqi": "CN",
  "Europe/Belfast": "GB",
};

const ZONE_COUNTRIES: ReadonlyMap<string, string> = new Map([
  ...Object.entries(COUNTRY_ZONES).map(([country, zone]) => [zone, country] as const),
  ...Object.entries(EXTRA_ZONE_COUNTRIES),
]);

/** The country a workspace time zone implies, when it implies one. */
export function zoneCountry(zone: string | null | undefined): string | undefined {
  return zone ? ZONE_COUNTRIES.get(zone) : undefined;
}

export function phoneCandidates(input: string, workspaceZone?: string | null): string[] {
  const text = input.trim();
  // E.164 is at most 15 digits; formatting never needs 40 characters.
  if (text.length > 40 || !PHONE_TEXT.test(text)) return [];
  const digits = text.replace(/\D/g, "");
  if (digits.length < 6 || digits.length > 15) return [];
  if (text.startsWith("+")) {
    const phone = normalizePhone(text);
    return phone ? [phone.e164] : [];
  }
  const regions: string[] = [];
  const home = zoneCountry(workspaceZone);
  if (home) regions.push(home);
  if (/^1[3-9]\d{9}$/.test(digits)) regions.push("CN");
  if (digits.length === 10 || (digits.length === 11 && digits.startsWith("1"))) {
    regions.push("US", "CA");
  }
  const out: string[] = [];
  for (const region of new Set(regions)) {
    const phone = normalizePhone(digits, region);
    if (phone && !out.includes(phone.e164)) out.push(phone.e164);
    if (out.length === MAX_PHONE_CANDIDATES) break;
  }
  return out;
}
