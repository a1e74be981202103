import { z } from "zod";

/**
 * What an email send says beyond the SMS-shaped SendSpec: the send's `template` is the
 * text/plain body, these are the rest. A nested object rather than a union on `channel` keeps
 * every existing send (SMS, and the email sends written before subjects existed) parsing as it
 * did, and keeps the send a plain object for the editor's schema-driven form.
 */

/** RFC 5321 caps a path at 256 octets and a local part at 64; 254 characters is the usable limit. */
const ADDRESS =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** `Shop <news@shop.example>`: a display name without the characters that would need quoting. */
const NAMED = /^([^<>"\r\n]{1,100}) <([^<>\s]+)>$/;

/** A sender or reply-to: `addr@host` or `Name <addr@host>`, one address, no header injection. */
export const EmailAddressSchema = z
  .string()
  .max(320)
  .refine((s) => parseMailbox(s) !== null, {
    message: 'expected an address such as "news@shop.example" or "Shop <news@shop.example>"',
  });

export function parseMailbox(value: string): { name?: string; address: string } | null {
  const named = NAMED.exec(value);
  const address = named ? named[2] : value;
  if (address === undefined || address.length > 254 || !ADDRESS.test(address)) return null;
  const name = named?.[1]?.trim();
  return name ? { name, address } : { address };
}

export const EmailFieldsSchema = z.strictObject({
  /** Liquid. RFC 5322 lines stop at 998 characters; inboxes show far fewer. */
  subject: z.string().min(1).max(998),
  /** Liquid: the inbox's preview line, a hidden first line of the HTML body. */
  preheader: z.string().max(500).optional(),
  /**
   * Liquid HTML body; values read from `user.*` and `event.*` are HTML-escaped. Gmail clips a
   * message past 102 KB, so the source stops at 100,000 characters. Absent: text only.
   */
  html: z.string().min(1).max(100_000).optional(),
  /** Absent: the server's WAYMARK_EMAIL_FROM. */
  from: EmailAddressSchema.optional(),
  replyTo: EmailAddressSchema.optional(),
});
export type EmailFields = z.infer<typeof EmailFieldsSchema>;

/** An email as rendered for one contact: what the outbox stores beside the text body. */
export type EmailContent = {
  subject: string;
  /** The rendered HTML (preheader included), or null for a text-only email. */
  html: string | null;
  preheader: string | null;
  from: string | null;
  replyTo: string | null;
};
