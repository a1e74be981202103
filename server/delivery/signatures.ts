import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Request signatures, both directions.
 *
 * Twilio → us (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed with the auth token, of the full
 * URL Twilio called (scheme, host, path and query) followed by every POST parameter as
 * name+value, sorted by name. https://www.twilio.com/docs/usage/webhooks/webhooks-security
 *
 * Us → a webhook receiver (`X-Waymark-Signature: t=<unix seconds>,v1=<hex>`), Stripe-style:
 * v1 is the hex HMAC-SHA256, keyed with WAYMARK_WEBHOOK_SECRET, of `<t>.<raw body>`. Receivers
 * recompute it over the raw bytes, compare in constant time and reject a `t` older than a few
 * minutes (that bounds replays); `verifyWebhookSignature` below is that check.
 */

export type FormParams = Record<string, string | string[]>;

export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    // Repeated parameters sign each value, in order, under the same name.
    const values = Array.isArray(value) ? [...value].sort() : [value ?? ""];
    for (const v of values) data += name + v;
  }
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: FormParams,
  header: string | undefined,
): boolean {
  if (!header) return false;
  return safeEqual(twilioSignature(authToken, url, params), header);
}

export function webhookSignatureHeader(
  secret: string,
  rawBody: string,
  unixSeconds: number,
): string {
  const v1 = createHmac("sha256", secret).update(`${unixSeconds}.${rawBody}`, "utf8").digest("hex");
  return `t=${unixSeconds},v1=${v1}`;
}

/** The receiver's check: a valid v1 for this body, signed within `toleranceSeconds` of now. */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(",").map((p) => {
      const eq = p.indexOf("=");
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isInteger(t) || !v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = webhookSignatureHeader(secret, rawBody, t).split("v1=")[1] ?? "";
  return safeEqual(expected, v1);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
