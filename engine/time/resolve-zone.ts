import { normalizePhone } from "./phone.ts";
import { isValidZone } from "./zone.ts";

/**
 * A representative IANA zone per country, used only when the profile has no zone. Countries
 * spanning several zones get their most populous one (US → New York, CA → Toronto,
 * AU → Sydney, RU → Moscow, BR → São Paulo, MX → Mexico City, ID → Jakarta): wrong for some
 * users, but quiet hours are wide enough that the error rarely matters, and a profile zone
 * always wins. Countries not listed fall back to the workspace zone.
 */
export const COUNTRY_ZONES: Readonly<Record<string, string>> = {
  AE: "Asia/Dubai",
  AR: "America/Argentina/Buenos_Aires",
  AT: "Europe/Vienna",
  AU: "Australia/Sydney",
  BD: "Asia/Dhaka",
  BE: "Europe/Brussels",
  BR: "America/Sao_Paulo",
  CA: "America/Toronto",
  CH: "Europe/Zurich",
  CL: "America/Santiago",
  CN: "Asia/Shanghai",
  CO: "America/Bogota",
  CZ: "Europe/Prague",
  DE: "Europe/Berlin",
  DK: "Europe/Copenhagen",
  EG: "Africa/Cairo",
  ES: "Europe/Madrid",
  FI: "Europe/Helsinki",
  FR: "Europe/Paris",
  GB: "Europe/London",
  GR: "Europe/Athens",
  HK: "Asia/Hong_Kong",
  HU: "Europe/Budapest",
  ID: "Asia/Jakarta",
  IE: "Europe/Dublin",
  IL: "Asia/Jerusalem",
  IN: "Asia/Kolkata",
  IT: "Europe/Rome",
  JP: "Asia/Tokyo",
  KE: "Africa/Nairobi",
  KR: "Asia/Seoul",
  MO: "Asia/Macau",
  MX: "America/Mexico_City",
  MY: "Asia/Kuala_Lumpur",
  NG: "Africa/Lagos",
  NL: "Europe/Amsterdam",
  NO: "Europe/Oslo",
  NZ: "Pacific/Auckland",
  PE: "America/Lima",
  PH: "Asia/Manila",
  PK: "Asia/Karachi",
  PL: "Europe/Warsaw",
  PT: "Europe/Lisbon",
  RO: "Europe/Bucharest",
  RU: "Europe/Moscow",
  SA: "Asia/Riyadh",
  SE: "Europe/Stockholm",
  SG: "Asia/Singapore",
  TH: "Asia/Bangkok",
  TR: "Europe/Istanbul",
  TW: "Asia/Taipei",
  UA: "Europe/Kyiv",
  US: "America/New_York",
  VN: "Asia/Ho_Chi_Minh",
  ZA: "Africa/Johannesburg",
};

export type ZoneSource = "profile" | "phone" | "workspace";
export type ResolvedZone = { zone: string; source: ZoneSource };

/**
 * The zone a contact's local time is computed in: the profile's zone if it is a valid IANA
 * name, else the phone number's country (via COUNTRY_ZONES), else the workspace zone. The
 * source is returned so support can see why a user got a message at the time they did.
 */
export function resolveZone(
  contact: { timezone?: string | null; phone?: string | null },
  workspaceZone: string,
): ResolvedZone {
  if (isValidZone(contact.timezone)) return { zone: contact.timezone, source: "profile" };
  if (contact.phone) {
    const country = normalizePhone(contact.phone)?.country;
    const zone = country ? COUNTRY_ZONES[country] : undefined;
    if (zone && isValidZone(zone)) return { zone, source: "phone" };
  }
  return { zone: workspaceZone, source: "workspace" };
}
