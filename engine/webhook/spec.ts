import { z } from "zod";

/**
 * What a webhook send says beyond the SMS-shaped SendSpec: where the request goes and what it
 * carries. Nested like `send.email` (engine/email/spec.ts) so older webhook sends (a `template`
 * only, posted in our envelope to WAYMARK_WEBHOOK_URL) keep parsing and delivering as before.
 * The schema admits any strings; what makes a request unsafe (a URL that is not http(s) or has
 * Liquid in its host, a hop-by-hop header, CR/LF) is reported as validation issues
 * (engine/webhook/issues.ts), so the editor can paint them on the node.
 */

export const WEBHOOK_METHODS = ["POST", "PUT", "PATCH", "GET"] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

export const WebhookFieldsSchema = z.strictObject({
  method: z.enum(WEBHOOK_METHODS),
  /** http(s) URL; Liquid in the path and query only, values URL-encoded when rendered. */
  url: z.string().min(1).max(2000),
  /** Header name → Liquid value. */
  headers: z.record(z.string().min(1).max(100), z.string().max(2000)).optional(),
  /**
   * The JSON body: any JSON value whose string values are Liquid. Each string is rendered on its
   * own and the whole serialised with JSON.stringify, so a contact's `"}` is an escaped string,
   * never JSON syntax. Absent: no body (required absent on GET).
   */
  body: z.json().optional(),
});
export type WebhookFields = z.infer<typeof WebhookFieldsSchema>;

/** A webhook request as rendered for one contact: the send effect and messages.payload carry it. */
export const WebhookRequestSchema = z.strictObject({
  method: z.enum(WEBHOOK_METHODS),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  /** Serialised JSON, or null for a request without a body. */
  body: z.string().nullable(),
});
export type WebhookRequest = z.infer<typeof WebhookRequestSchema>;

/**
 * Headers a send may not set: hop-by-hop ones (RFC 9110 §7.6.1) and the framing headers the
 * HTTP client owns (Host, Content-Length), which a template could use to smuggle a second
 * request; and ours, which the receiver trusts to verify and deduplicate.
 */
export const REFUSED_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "host",
  "content-length",
  "idempotency-key",
]);

/** Ours too (X-Waymark-Signature, X-Waymark-Test): a send may not forge them. */
export const isRefusedHeader = (name: string): boolean => {
  const n = name.toLowerCase();
  return REFUSED_HEADERS.has(n) || n.startsWith("x-waymark-");
};

/** RFC 9110 §5.6.2 token: what a header name may be made of. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
