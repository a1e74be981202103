import type { EmailContent } from "../../engine/email/spec.ts";
import type { PushContent } from "../../engine/push/spec.ts";
import type { Channel } from "../../engine/shared/channels.ts";
import type { SmsTemplateRequest } from "../../engine/sms-template/spec.ts";
import type { WebhookRequest } from "../../engine/webhook/spec.ts";

/*
 * Delivery terminology:
 *  - outbox row: one `messages` row, written by the ticker in the same transaction as the step
 *    that decided the send. Delivery never creates messages, it only moves their status.
 *  - attempt: one provider call for one outbox row. `attempts` counts claims, so a worker that
 *    died mid-call still used up an attempt.
 *  - lease: `locked_by` + `locked_until` on a row in status `sending`. Only the lease holder may
 *    record the outcome; an expired lease is swept back to `queued`.
 *  - provider key: `messages.provider_key`, a random UUID drawn when the row is written and sent
 *    with every attempt, so a deduplicating provider drops a resend. Unique across installs and
 *    restores, unlike `messages.idempotency_key` (`e<enrollment>:<node>:<visit>`), which only
 *    keeps one database's outbox free of doubles.
 *  - outcome unknown: a call that timed out, or a lease that expired (the worker died between
 *    the call and the commit), may have been accepted. Such a row keeps `outcome_unknown_since`
 *    and is reconciled before any resend: the provider's lookup says whether it holds the
 *    message; a provider without one gets the resend and must deduplicate on the key.
 */

/** What a provider adapter is asked to send. */
/**
 * The `messageId` of a provider test send (Settings → Providers): no outbox row stands behind it,
 * so nothing is recorded against it, and push finds its browsers by `to` (the contact's id).
 */
export const TEST_SEND_MESSAGE_ID = 0;

export interface SendRequest {
  /** The message's provider key (a UUID); the same on every attempt of this message. */
  idempotencyKey: string;
  /** E.164 phone for SMS, an address for email, the contact's external id otherwise. */
  to: string;
  body: string;
  channel: Channel;
  /** promotional, transactional or service: promotional email carries List-Unsubscribe. */
  category?: string;
  /** Email: subject, HTML and sender as rendered by the send step; null for other channels. */
  email?: EmailContent | null;
  /** Webhook with request fields: where and what to send instead of our envelope. */
  webhook?: WebhookRequest | null;
  /** Push: title, icon and click URL as rendered by the send step; `body` is the text. */
  push?: PushContent | null;
  /** SMS by a template provider: code, sign name and rendered parameters (Aliyun's SendSms). */
  smsTemplate?: SmsTemplateRequest | null;
  /** Our `messages.id`, for callbacks that must name the message before its provider id is known. */
  messageId: number;
}

/**
 * The outcomes delivery acts on. `retry` is for answers that say the message was not taken and
 * may be next time (429, 5xx, a connection refused); `unknown` for calls that may have been
 * accepted although no answer said so (a timeout, a connection lost after the request went
 * out, a gateway's 502/504); anything the provider rejected on its merits is `failed`.
 */
export type SendResult =
  | { kind: "sent"; providerMessageId: string }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "unknown"; error: string }
  | { kind: "failed"; error: string };

/** What a lookup is asked: did the provider accept this message at or after `since`? */
export interface LookupRequest extends SendRequest {
  since: Date;
}

/**
 * A lookup's answer. `accepted` lists the provider ids of messages that match (oldest first);
 * the worker skips ids another of our messages already owns. `unavailable`: the lookup itself
 * failed, ask again later.
 */
export type LookupResult =
  | { kind: "accepted"; providerMessageIds: string[] }
  | { kind: "not_accepted" }
  | { kind: "unavailable"; error: string };

export interface Provider {
  /** Stored in `messages.provider`; callbacks look messages up by (provider, provider id). */
  readonly name: string;
  /**
   * Messages per second this process may start through this provider; null for no limit.
   * Per process: with several workers the provider sees the sum.
   */
  readonly ratePerSecond: number | null;
  send(request: SendRequest): Promise<SendResult>;
  /**
   * Where the provider can say whether it holds a message (Twilio's message list, a webhook
   * receiver's lookup URL): asked before a message whose outcome is unknown is sent again.
   * Without it such a message is resent with the same key.
   */
  lookup?(request: LookupRequest): Promise<LookupResult>;
  /** Releases pooled connections (SMTP) when the worker stops. */
  close?(): void;
}

/** Which provider serves which channel; a channel without one fails its messages. */
export type ProviderSet = Partial<Record<Channel, Provider>>;

/** The subset of pino the delivery code uses; tests pass a silent or capturing pino. */
export interface DeliveryLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
