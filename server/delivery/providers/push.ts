import { request as httpsRequest } from "node:https";
import type { Knex } from "knex";
import webpush from "web-push";
import { pushPayloadJson } from "../../../engine/push/compose.ts";
import type { Category } from "../../../engine/shared/channels.ts";
import {
  acceptedFor,
  deleteSubscription,
  recordAccepted,
  type StoredSubscription,
  subscriptionsForContact,
  subscriptionsForMessage,
} from "../../contacts/sql/push-subscriptions.ts";
import { type Gate, ungated } from "../../db/gate.ts";
import type { FieldCrypto } from "../../privacy/keys.ts";
import { checkDestination } from "../destinations.ts";
import type { PushConfig } from "../push-config.ts";
import {
  type DeliveryLog,
  type Provider,
  type SendRequest,
  type SendResult,
  TEST_SEND_MESSAGE_ID,
} from "../types.ts";
import { parseRetryAfter, scrubNumbers } from "./http.ts";

/**
 * Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291), to every
 * push subscription the contact's browsers registered (POST /v1/push/subscriptions). The
 * `web-push` package builds each request — encrypts the payload to the subscription's keys,
 * signs the VAPID JWT for the endpoint's origin, sets TTL, Urgency and Topic — and we send it
 * ourselves, so the endpoint (a URL a page chose) first passes the same destination guard as a
 * webhook send (destinations.ts, WAYMARK_PUSH_ALLOW_HOSTS) and the call has our timeout and our
 * reading of the answer:
 *
 * - 201 (any 2xx): accepted; the push service's `Location` is the provider message id.
 * - 404 / 410: the subscription is gone (unsubscribed, expired): removed at once, never pushed
 *   to again. A message none of whose subscriptions is left fails with that reason.
 * - 429 / 5xx / 408, a connection refused: retried with backoff (Retry-After honoured).
 * - a timeout or a connection lost mid-request: the outcome is unknown; resent with the same key.
 * - anything else (400, 403 — a subscription made for another VAPID key —, 413): refused.
 *
 * Each subscription a push service accepted the message for is recorded at once
 * (push_deliveries), so a retry — another browser's service answered 503 — pushes only to the
 * ones still owed it. Push services have no lookup, so a call whose answer was lost (a timeout,
 * a worker killed before the record) is pushed again: at least once per subscription. Two
 * things keep such a resend from showing twice: the Topic header (the provider key) makes the
 * push service replace a copy it still holds, and the payload's `tag` (the same key) makes the
 * browser replace a notification on screen rather than add one.
 */

/** Urgency (RFC 8030 §5.3): a receipt should wake a phone, a promotion may wait for it to wake. */
const URGENCY: Record<Category, webpush.Urgency> = {
  transactional: "high",
  service: "normal",
  promotional: "normal",
};

type OneOutcome =
  | { kind: "sent"; id: string }
  | { kind: "gone"; error: string }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "unknown"; error: string }
  | { kind: "failed"; error: string };

export interface PushProviderOptions {
  config: PushConfig;
  knex: Knex;
  crypto: FieldCrypto;
  log: DeliveryLog;
  timeoutMs: number;
  /** Extra trusted CA (PEM): a private push gateway, or a test's own HTTPS push service. */
  ca?: string | Buffer;
  now?: () => number;
  /**
   * Runs each of the provider's statements (the contact's subscriptions, the acceptances, the
   * removal of gone ones): on PGlite the worker's lane (db/gate.ts), like the rest of delivery's
   * database work. Never around the push services' HTTP calls.
   */
  gate?: Gate;
}

export function createPushProvider(options: PushProviderOptions): Provider {
  const { config, knex, crypto, log, timeoutMs } = options;
  const now = options.now ?? Date.now;
  const gate = options.gate ?? ungated;

  async function pushOne(
    stored: StoredSubscription,
    payload: string,
    request: SendRequest,
  ): Promise<OneOutcome> {
    const { endpoint } = stored.subscription;
    const guard = await checkDestination(endpoint, config.allowHosts, "WAYMARK_PUSH_ALLOW_HOSTS");
    if (guard.kind === "refused") return { kind: "failed", error: guard.error };
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(
        {
          endpoint,
          keys: { p256dh: stored.subscription.p256dh, auth: stored.subscription.auth },
        },
        payload,
        {
          vapidDetails: config.vapid,
          TTL: config.ttlSeconds,
          urgency: URGENCY[(request.category ?? "promotional") as Category] ?? "normal",
          // 32 characters of the URL-safe alphabet at most: the key's hex digits, dashes dropped.
          topic: request.idempotencyKey.replace(/-/g, "").slice(0, 32),
          contentEncoding: "aes128gcm",
        },
      );
    } catch (err) {
      // A stored subscription whose keys do not make a request (checked at registration, so
      // only a row from elsewhere): refused, not retried.
      return { kind: "failed", error: `cannot build the push request: ${errorText(err)}` };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
    return post(endpoint, headers, details.body ?? Buffer.alloc(0));
  }

  function post(
    endpoint: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<OneOutcome> {
    return new Promise((resolve) => {
      let written = false;
      const req = httpsRequest(
        endpoint,
        {
          method: "POST",
          headers,
          ...(options.ca ? { ca: options.ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size <= 4096) chunks.push(c);
          });
          res.on("end", () => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString("utf8").slice(0, 300);
            const error = `HTTP ${status}${text ? `: ${scrubNumbers(text)}` : ""}`;
            if (status >= 200 && status < 300) {
              const location = res.headers.location;
              resolve({ kind: "sent", id: location ? String(location) : `push:${status}` });
            } else if (status === 404 || status === 410) resolve({ kind: "gone", error });
            else if (status === 408 || status === 429 || status >= 500) {
              const retryAfterMs = parseRetryAfter(
                (res.headers["retry-after"] as string | undefined) ?? null,
                now(),
              );
              resolve(
                retryAfterMs === undefined
                  ? { kind: "retry", error }
                  : { kind: "retry", error, retryAfterMs },
              );
            } else resolve({ kind: "failed", error });
          });
          res.on("error", (err) => {
            clearTimeout(timer);
            resolve({ kind: "unknown", error: `response lost: ${errorText(err)}` });
          });
        },
      );
      // The whole exchange, not just socket inactivity: a service that trickles is a timeout.
      const timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      req.on("error", (err) => {
        clearTimeout(timer);
        const code = (err as NodeJS.ErrnoException).code ?? "";
        // Before a byte left (refused, no such host): nothing can have been taken.
        if (!written || NOT_SENT.has(code)) {
          resolve({ kind: "retry", error: errorText(err) });
        } else resolve({ kind: "unknown", error: errorText(err) });
      });
      req.on("socket", (socket) => {
        // A kept-alive socket is connected already; a new one is once its TLS handshake is done.
        if (!socket.connecting) written = true;
        else
          socket.once("secureConnect", () => {
            written = true;
          });
      });
      req.end(body);
    });
  }

  return {
    name: "web-push",
    ratePerSecond: config.ratePerSecond,
    async send(request: SendRequest): Promise<SendResult> {
      if (!request.push) {
        return { kind: "failed", error: "push message without its title (payload missing)" };
      }
      // A test send has no message row to join through: its `to` names the contact.
      const test = request.messageId === TEST_SEND_MESSAGE_ID;
      const { found, undecryptable } = test
        ? await gate(() => subscriptionsForContact(knex, crypto, request.to))
        : await gate(() => subscriptionsForMessage(knex, crypto, request.messageId));
      if (found.length === 0) {
        const why =
          undecryptable > 0
            ? `${undecryptable} push subscription(s) cannot be decrypted (wrong WAYMARK_SECRET?)`
            : "contact has no push subscription";
        return { kind: "failed", error: why };
      }
      // A retry goes only to the browsers whose push service has not taken the message yet.
      const accepted = test
        ? new Map<number, string>()
        : await gate(() => acceptedFor(knex, request.messageId));
      const owed = found.filter((s) => !accepted.has(s.id));
      const payload = pushPayloadJson(request.body, request.push, request.idempotencyKey);
      const outcomes = await Promise.all(
        owed.map(async (s) => {
          const o = await pushOne(s, payload, request);
          if (o.kind === "sent" && !test) {
            const at = new Date(now());
            const row = { messageId: request.messageId, subscriptionId: s.id, at };
            await gate(() => recordAccepted(knex, { ...row, providerMessageId: o.id }));
          }
          return o;
        }),
      );
      const gone = owed.filter((_, i) => outcomes[i]?.kind === "gone");
      for (const s of gone) await gate(() => deleteSubscription(knex, s.id));
      if (gone.length > 0) {
        log.info(
          { messageId: request.messageId, removed: gone.length },
          "push subscriptions gone (404/410): removed",
        );
      }
      return combine(outcomes, found.length, [...accepted.values()]);
    },
  };
}

/**
 * One message, several browsers: any still to retry (or in doubt) makes the message wait for
 * another attempt; else any accepted makes it sent; else it failed, saying why for each.
 */
function combine(outcomes: OneOutcome[], total: number, earlier: string[]): SendResult {
  const errors = (kind: OneOutcome["kind"]) =>
    outcomes.flatMap((o) => (o.kind === kind && "error" in o ? [o.error] : []));
  const unknown = errors("unknown");
  const retry = outcomes.filter((o) => o.kind === "retry");
  if (unknown.length > 0) return { kind: "unknown", error: unknown.join("; ") };
  if (retry.length > 0) {
    const waits = retry.flatMap((o) =>
      o.kind === "retry" && o.retryAfterMs !== undefined ? [o.retryAfterMs] : [],
    );
    const error = errors("retry").join("; ");
    return waits.length > 0
      ? { kind: "retry", error, retryAfterMs: Math.max(...waits) }
      : { kind: "retry", error };
  }
  const sent = [...earlier, ...outcomes.flatMap((o) => (o.kind === "sent" ? [o.id] : []))];
  if (sent.length > 0) return { kind: "sent", providerMessageId: sent[0] ?? "push" };
  const gone = errors("gone");
  const failed = errors("failed");
  const parts: string[] = [];
  if (gone.length > 0) {
    parts.push(`${gone.length} of ${total} push subscription(s) gone (${gone[0]}), removed`);
  }
  if (failed.length > 0) parts.push(`refused: ${failed.join("; ")}`);
  return { kind: "failed", error: parts.join("; ") };
}

const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function errorText(err: unknown): string {
  return scrubNumbers(err instanceof Error ? err.message : String(err));
}
