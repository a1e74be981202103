import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";

export type NormalizedPhone = { e164: string; country: string | undefined };

/**
 * E.164 form of a phone number, or null when it is not a valid number. `defaultCountry`
 * (ISO 3166-1 alpha-2, e.g. "CN") is used for national-format input such as "138 0013 8000".
 * `country` is undefined for numbers that belong to no single country (e.g. +800).
 *
 * libphonenumber-js's default (min) metadata is used: it validates by number length and
 * leading digits, not by every allocated range, which is the right strictness for
 * normalizing input from customers' systems.
 */
export function normalizePhone(input: string, defaultCountry?: string): NormalizedPhone | null {
  if (typeof input !== "string" || input.trim() === "") return null;
  const country = defaultCountry?.toUpperCase() as CountryCode | undefined;
  let parsed: ReturnType<typeof parsePhoneNumberFromString>;
  try {
    parsed = parsePhoneNumberFromString(input, country);
  } catch {
    // An unknown default country throws; treat it as "cannot normalize".
    return null;
  }
  if (!parsed?.isValid()) return null;
  return { e164: parsed.number, country: parsed.country };
}
