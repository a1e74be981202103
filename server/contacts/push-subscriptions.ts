import { z } from "zod";
import { DomainError } from "../domain-error.ts";
import type { FieldCrypto } from "../privacy/keys.ts";

/**
 * A browser's PushSubscription as the site hands it over (`subscription.toJSON()`): the push
 * service's endpoint and the two keys the payload is encrypted to (RFC 8291). Anyone who holds
 * it can push to that browser, so it is checked hard before it is stored — the endpoint is a
 * URL a public write key lets a page choose, and our server will POST to it — and stored
 * encrypted (server/contacts/sql/push-subscriptions.ts).
 */

/** Endpoints from the big push services are 150–400 characters; 1,000 leaves room. */
const ENDPOINT_MAX = 1000;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** The JSON a site posts to register one: the user and the browser's subscription. */
export const PushSubscriptionBody = z.strictObject({
  userId: z.string().min(1).max(200),
  subscription: z.object({
    endpoint: z.string().min(1).max(ENDPOINT_MAX),
    // Browsers send it (null for no expiry); not used, since a gone endpoint answers 404/410.
    expirationTime: z.number().nullable().optional(),
    keys: z.object({
      p256dh: z.string().min(1).max(200),
      auth: z.string().min(1).max(100),
    }),
  }),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;

/** A subscription removed by its endpoint (the browser unsubscribed, or the site signs out). */
export const PushUnsubscribeBody = z.strictObject({
  endpoint: z.string().min(1).max(ENDPOINT_MAX),
});

/** What is stored, encrypted, and what the push provider reads back. */
export type PushSubscription = { endpoint: string; p256dh: string; auth: string };

/**
 * The subscription, checked field by field: the endpoint an https URL on the default or a
 * named port, with no credentials; p256dh an uncompressed P-256 point (65 bytes, 0x04 first);
 * auth 16 bytes. Refusals name the field (DomainError `invalid`, a 400).
 */
export function checkedSubscription(body: PushSubscriptionBody): PushSubscription {
  const s = body.subscription;
  const endpoint = checkedEndpoint(s.endpoint, "subscription.endpoint");
  const p256dh = decoded(s.keys.p256dh, "subscription.keys.p256dh");
  if (p256dh.length !== 65 || p256dh[0] !== 0x04) {
    throw invalid(
      "subscription.keys.p256dh",
      `must be an uncompressed P-256 public key (65 bytes starting 0x04, base64url), got ${p256dh.length} bytes`,
    );
  }
  const auth = decoded(s.keys.auth, "subscription.keys.auth");
  if (auth.length !== 16) {
    throw invalid(
      "subscription.keys.auth",
      `must be a 16-byte secret (base64url), got ${auth.length} bytes`,
    );
  }
  return { endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth };
}

export function checkedEndpoint(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, "must be an https URL");
  }
  if (url.protocol !== "https:") throw invalid(field, "must be an https URL (push services are)");
  if (url.username || url.password) throw invalid(field, "must not carry credentials");
  if (/\s/.test(value)) throw invalid(field, "must not hold spaces");
  return url.href;
}

/** The index an endpoint is found by; the same for the same URL however it was written. */
export function endpointHash(crypto: FieldCrypto, endpoint: string): string {
  return crypto.blindIndex(`push:${new URL(endpoint).href}`);
}

function decoded(value: string, field: string): Buffer {
  if (!BASE64URL.test(value)) throw invalid(field, "must be base64url");
  return Buffer.from(value, "base64url");
}

function invalid(field: string, message: string): DomainError {
  return new DomainError("invalid", "invalid_body", `${field}: ${message}`, [
    { path: field, message },
  ]);
}
