import type { Channel } from "../../engine/shared/channels.ts";

/*
 * Delivery terminology:
 *  - outbox row: one `messages` row, written by the ticker in the same transaction as the step
 *    that decided the send. Delivery never creates messages, it only moves their status.
 *  - attempt: one provider call for one outbox row. `attempts` counts claims, so a worker that
 *    died mid-call still used up an attempt.
 *  - lease: `locked_by` + `locked_until` on a row in status `sending`. Only the lease holder may
 *    record the outcome; an expired lease is swept back to `queued`.
 *  - idempotency key: `messages.idempotency_key`, sent with every attempt, so the provider turns
 *    our at-least-once delivery into exactly-once in effect.
 */

/** What a provider adapter is asked to send. */
export interface SendRequest {
  /** The outbox row's idempotency key; the same on every attempt of this message. */
  idempotencyKey: string;
  /** E.164 phone for SMS, an address for email, the contact's external id otherwise. */
  to: string;
  body: string;
  channel: Channel;
  /** Our `messages.id`, for callbacks that must name the message before its provider id is known. */
  messageId: number;
}

/**
 * The three outcomes delivery acts on. `retry` is only for errors that may pass (429, 5xx,
 * timeouts, connection errors); anything the provider rejected on its merits is `failed`.
 */
export type SendResult =
  | { kind: "sent"; providerMessageId: string }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "failed"; error: string };

export interface Provider {
  /** Stored in `messages.provider`; callbacks look messages up by (provider, provider id). */
  readonly name: string;
  /**
   * Messages per second this process may start through this provider; null for no limit.
   * Per process: with several workers the provider sees the sum.
   */
  readonly ratePerSecond: number | null;
  send(request: SendRequest): Promise<SendResult>;
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
