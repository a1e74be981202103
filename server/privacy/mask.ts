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
