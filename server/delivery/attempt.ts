import type { Knex } from "knex";
import type { MessagePayload } from "../../engine/effects.ts";
import { PushContentSchema } from "../../engine/push/spec.ts";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import { SmsTemplateRequestSchema } from "../../engine/sms-template/spec.ts";
import { WebhookRequestSchema } from "../../engine/webhook/spec.ts";
import { type Gate, ungated } from "../db/gate.ts";
import { withDbRetry } from "../db/retry.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { WorkerSettings } from "./config.ts";
import { recordMessageEvents } from "./events.ts";
import type { CallOutcome } from "./lanes.ts";
import { type RateLimiter, retryDelayMs } from "./rate-limit.ts";
import type { SentRecorder } from "./recorder.ts";
import type { ClaimedMessage } from "./sql/claim.ts";
import { idsOwnedByOthers, markFailed, markRetry, markUnknown } from "./sql/outcome.ts";
import type { DeliveryLog, Provider, ProviderSet, SendRequest, SendResult } from "./types.ts";

/**
 * One claimed message, from the claim to its recorded outcome: reconcile if an earlier call
 * may have got through, else (or then) call the provider, and record what it said under the
 * lease.
 *
 * Exactly once without trusting the provider: a message whose outcome is unknown (the call
 * timed out, or the worker died before recording it) is not simply sent again. Where the
 * provider can be asked (Provider.lookup: Twilio's message list, a webhook receiver's lookup
 * URL), the worker waits `reconcileMs` (a provider may accept a request after we gave up on it)
 * and asks; a message it holds is recorded as sent with its id, and only one it does not hold
 * is sent again. A provider without a lookup (console, a webhook without one) gets the resend
 * with the same provider key, and it is up to the receiver to deduplicate on it.
 */

export interface AttemptDeps {
  knex: Knex;
  crypto: FieldCrypto;
  providers: ProviderSet;
  log: DeliveryLog;
  workerId: string;
  settings: WorkerSettings;
  now: () => Date;
  random: () => number;
  limiterFor: (provider: Provider) => RateLimiter | null;
  /** Writes `sent` outcomes in sets (recorder.ts). */
  recorder: SentRecorder;
  /** Each statement or transaction takes its turn on PGlite's connection (db/gate.ts). */
  gate?: Gate;
}

/** What the lane learns from an attempt: null when no provider was called. */
export interface AttemptReport {
  outcome: CallOutcome | null;
  answeredMs?: number;
}

export function createAttempts(deps: AttemptDeps) {
  const { knex, log, workerId, settings, now } = deps;
  const gate = deps.gate ?? ungated;

  /**
   * `answered` hears what the lane needs as soon as the provider answered, before the outcome
   * is written: the lane counts provider calls, and the write may wait a few ms for its set.
   */
  async function deliver(
    message: ClaimedMessage,
    calling: () => void,
    answered: (report: AttemptReport) => void = () => {},
  ): Promise<AttemptReport> {
    const channel = asChannel(message.channel);
    const provider = channel ? deps.providers[channel] : undefined;
    if (!channel || !provider) {
      await fail(message, null, `no provider for channel "${message.channel}"`);
      return { outcome: null };
    }
    const to = addressOf(message, channel);
    if (to.kind === "missing") {
      await fail(message, provider.name, to.error);
      return { outcome: null };
    }
    const request: SendRequest = {
      idempotencyKey: message.providerKey,
      to: to.address,
      body: message.body,
      channel,
      category: message.category,
      ...payloadFor(channel, message.payload),
      messageId: message.id,
    };
    await deps.limiterFor(provider)?.take();
    calling();
    let inDoubt = message.unknownSince;
    if (inDoubt && provider.lookup) {
      const settled = await reconcile(message, provider, request, inDoubt);
      if (settled) return settled;
      inDoubt = null; // the provider holds nothing: the doubt is resolved
    }
    if (message.attempts > settings.maxAttempts) {
      const detail = inDoubt ? "the last call's outcome is unknown" : "the provider holds none";
      await fail(
        message,
        provider.name,
        `gave up after ${message.attempts - 1} attempts; ${detail}`,
      );
      return { outcome: null };
    }
    const started = performance.now();
    let result: SendResult;
    try {
      result = await provider.send(request);
    } catch (err) {
      // An adapter that throws has a bug or met something unforeseen, maybe after the request
      // left: treated as an unknown outcome (reconciled first); the attempt cap bounds it.
      result = {
        kind: "unknown",
        error: `provider threw: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const answeredMs = performance.now() - started;
    const report = laneReport(result, answeredMs);
    answered(report);
    await record(message, provider, result, inDoubt);
    return report;
  }

  /**
   * Asks the provider about a message whose earlier call may have got through. Returns what to
   * tell the lane when that settled it (recorded as sent, or put back to ask again later), or
   * null when the provider holds nothing and the message should be sent now.
   */
  async function reconcile(
    message: ClaimedMessage,
    provider: Provider,
    request: SendRequest,
    since: Date,
  ): Promise<AttemptReport | null> {
    const lookup = provider.lookup;
    if (!lookup) return null;
    const result = await lookup({ ...request, since }).catch(
      (err: unknown) =>
        ({ kind: "unavailable", error: err instanceof Error ? err.message : String(err) }) as const,
    );
    switch (result.kind) {
      case "accepted": {
        const owned = await withDbRetry(() =>
          gate(() =>
            idsOwnedByOthers(knex, {
              id: message.id,
              provider: provider.name,
              providerMessageIds: result.providerMessageIds,
            }),
          ),
        );
        const id = result.providerMessageIds.find((candidate) => !owned.has(candidate));
        if (id === undefined) return null;
        log.info(
          { messageId: message.id, providerMessageId: id },
          "reconciled: the provider accepted the earlier call; not sending again",
        );
        await recordSent(message, provider, id);
        return { outcome: "ok" };
      }
      case "not_accepted":
        log.info({ messageId: message.id }, "reconciled: the provider holds nothing; sending");
        return null;
      case "unavailable": {
        if (message.attempts > settings.maxAttempts) {
          await fail(
            message,
            provider.name,
            `gave up after ${message.attempts - 1} attempts; outcome unknown (${result.error})`,
          );
          return { outcome: "failed" };
        }
        const delay = retryDelayMs(message.attempts, settings, undefined, deps.random);
        await withDbRetry(() =>
          gate(() =>
            markUnknown(knex, {
              id: message.id,
              workerId,
              provider: provider.name,
              error: `outcome unknown, lookup failed: ${result.error}`,
              nextAttemptAt: new Date(now().getTime() + delay),
              now: now(),
            }),
          ),
        );
        return { outcome: "failed" };
      }
      default:
        return assertNever(result);
    }
  }

  async function recordSent(message: ClaimedMessage, provider: Provider, id: string) {
    const applied = await deps.recorder.sent({
      id: message.id,
      provider: provider.name,
      providerMessageId: id,
      at: now(),
    });
    if (!applied)
      log.debug({ messageId: message.id }, "sent, but the lease was lost; kept the newer state");
  }

  async function record(
    message: ClaimedMessage,
    provider: Provider,
    result: SendResult,
    inDoubt: Date | null,
  ) {
    const at = now();
    switch (result.kind) {
      case "sent":
        return recordSent(message, provider, result.providerMessageId);
      case "retry": {
        if (message.attempts >= settings.maxAttempts) {
          return fail(
            message,
            provider.name,
            `gave up after ${message.attempts} attempts: ${result.error}`,
          );
        }
        const delay = retryDelayMs(message.attempts, settings, result.retryAfterMs, deps.random);
        log.warn(
          {
            messageId: message.id,
            attempts: message.attempts,
            retryInMs: delay,
            error: result.error,
          },
          "provider call failed; will retry",
        );
        await withDbRetry(() =>
          gate(() =>
            markRetry(knex, {
              id: message.id,
              workerId,
              provider: provider.name,
              error: result.error,
              nextAttemptAt: new Date(at.getTime() + delay),
              unknownSince: inDoubt,
              now: at,
            }),
          ),
        );
        return;
      }
      case "unknown": {
        // Asked no sooner than reconcileMs (a late acceptance shows up in the lookup) and, like
        // any retry, no sooner than the backoff. Past the attempt cap it is still reconciled
        // once: the claim that would exceed it only asks (deliver() above).
        const backoff = retryDelayMs(message.attempts, settings, undefined, deps.random);
        const delay = provider.lookup ? Math.max(settings.reconcileMs, backoff) : backoff;
        log.warn(
          {
            messageId: message.id,
            attempts: message.attempts,
            retryInMs: delay,
            error: result.error,
          },
          provider.lookup
            ? "provider call outcome unknown; will ask the provider before any resend"
            : "provider call outcome unknown; will resend with the same key",
        );
        await withDbRetry(() =>
          gate(() =>
            markUnknown(knex, {
              id: message.id,
              workerId,
              provider: provider.name,
              error: `outcome unknown: ${result.error}`,
              nextAttemptAt: new Date(at.getTime() + delay),
              now: at,
            }),
          ),
        );
        return;
      }
      case "failed":
        return fail(message, provider.name, result.error);
      default:
        return assertNever(result);
    }
  }

  /** Failed for good, and journeys waiting on the message hear it in the same transaction. */
  async function fail(message: ClaimedMessage, provider: string | null, error: string) {
    log.warn({ messageId: message.id, attempts: message.attempts, error }, "message failed");
    const at = now();
    await withDbRetry(() =>
      gate(() =>
        knex.transaction(async (trx) => {
          const row = await markFailed(trx, { id: message.id, workerId, provider, error, now: at });
          if (row) await recordMessageEvents(trx, "message.failed", [row], at);
        }),
      ),
    );
  }

  function addressOf(
    message: ClaimedMessage,
    channel: Channel,
  ): { kind: "found"; address: string } | { kind: "missing"; error: string } {
    switch (channel) {
      case "sms": {
        if (!message.phoneEncrypted)
          return { kind: "missing", error: "contact has no phone number" };
        try {
          return { kind: "found", address: deps.crypto.decrypt(message.phoneEncrypted) };
        } catch {
          return {
            kind: "missing",
            error: "phone number cannot be decrypted (wrong WAYMARK_SECRET?)",
          };
        }
      }
      case "email":
        return message.email
          ? { kind: "found", address: message.email }
          : { kind: "missing", error: "contact has no email address" };
      case "push":
      case "webhook":
        return { kind: "found", address: message.externalId };
      default:
        return assertNever(channel);
    }
  }

  return { deliver };
}

/** An answer on its merits (sent or refused) is a healthy provider; the rest count against it. */
function laneReport(result: SendResult, answeredMs: number): AttemptReport {
  switch (result.kind) {
    case "sent":
    case "failed":
      return { outcome: "ok", answeredMs };
    case "retry":
    case "unknown":
      return { outcome: "failed" };
    default:
      return assertNever(result);
  }
}

export function asChannel(value: string): Channel | null {
  return (CHANNELS as readonly string[]).includes(value) ? (value as Channel) : null;
}

/**
 * messages.payload as the provider wants it. Parsed, not cast: a webhook request read back from
 * the database is checked again before its URL and headers are used.
 */
function payloadFor(
  channel: Channel,
  payload: MessagePayload | null,
): Pick<SendRequest, "email" | "webhook" | "smsTemplate" | "push"> {
  const none = { email: null, webhook: null, smsTemplate: null, push: null };
  if (payload === null) return none;
  if (channel === "push") {
    const parsed = PushContentSchema.safeParse(payload);
    return { ...none, push: parsed.success ? parsed.data : null };
  }
  if (channel === "webhook") {
    const parsed = WebhookRequestSchema.safeParse(payload);
    return { ...none, webhook: parsed.success ? parsed.data : null };
  }
  if (channel === "sms") {
    const parsed = SmsTemplateRequestSchema.safeParse(payload);
    return { ...none, smsTemplate: parsed.success ? parsed.data : null };
  }
  if (channel === "email" && "subject" in payload) return { ...none, email: payload };
  return none;
}
