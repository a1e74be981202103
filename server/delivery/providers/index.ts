import type { Knex } from "knex";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import { CHANNELS, type Channel } from "../../../engine/shared/channels.ts";
import type { Gate } from "../../db/gate.ts";
import type { FieldCrypto } from "../../privacy/keys.ts";
import type {
  AliyunConfig,
  DeliveryConfig,
  EmailConfig,
  TwilioConfig,
  WebhookConfig,
} from "../config.ts";
import type { PushConfig } from "../push-config.ts";
import type { DeliveryLog, Provider, ProviderSet } from "../types.ts";
import { createAliyunProvider } from "./aliyun.ts";
import { createConsoleProvider } from "./console.ts";
import { createSmtpProvider } from "./email-smtp.ts";
import { createPushProvider } from "./push.ts";
import { createTwilioProvider } from "./twilio.ts";
import { createWebhookProvider } from "./webhook.ts";

/**
 * Which provider serves one channel, with its settings: from the environment (`envChoice`) or
 * from Settings (server/delivery/provider-store.ts). `ratePerSecond` is the process's limit for
 * the kinds whose settings do not carry one.
 */
export type ProviderChoice =
  | { kind: "console"; ratePerSecond: number | null }
  | { kind: "twilio"; config: TwilioConfig; ratePerSecond: number | null }
  | { kind: "aliyun"; config: AliyunConfig; ratePerSecond: number | null }
  | { kind: "webhook"; config: WebhookConfig; ratePerSecond: number | null }
  | { kind: "smtp"; config: EmailConfig }
  | { kind: "webpush"; config: PushConfig };

/** What building a provider needs besides its choice. */
export interface ProviderDeps {
  config: DeliveryConfig;
  log: DeliveryLog;
  /** Email's unsubscribe and open-pixel links need the secret and a base URL. */
  email?: { crypto: FieldCrypto; linkBase: string };
  /**
   * Push reads the contact's subscriptions; `ca` trusts a private push gateway's certificate;
   * `gate` is the worker's lane on PGlite, for the push provider's own statements.
   */
  push?: { knex: Knex; crypto: FieldCrypto; ca?: string | Buffer; gate?: Gate };
}

/**
 * The environment's provider per channel. SMS goes where WAYMARK_SMS_PROVIDER says; the
 * `webhook` channel (a journey node that calls your system) uses the webhook provider when one
 * is configured; email goes over SMTP when WAYMARK_SMTP_URL is set, push by web push when the
 * VAPID keys are; anything else goes to `console`.
 */
export function envChoice(config: DeliveryConfig, channel: Channel): ProviderChoice {
  switch (channel) {
    case "sms":
      return smsChoice(config);
    case "email":
      return config.email
        ? { kind: "smtp", config: config.email }
        : { kind: "console", ratePerSecond: null };
    case "push":
      return config.push
        ? { kind: "webpush", config: config.push }
        : { kind: "console", ratePerSecond: null };
    case "webhook":
      return config.webhook
        ? {
            kind: "webhook",
            config: config.webhook,
            ratePerSecond: config.smsProvider === "webhook" ? config.smsRatePerSecond : null,
          }
        : { kind: "console", ratePerSecond: null };
    default:
      return assertNever(channel);
  }
}

function smsChoice(config: DeliveryConfig): ProviderChoice {
  const kind = config.smsProvider;
  const ratePerSecond = config.smsRatePerSecond;
  switch (kind) {
    case "console":
      return { kind, ratePerSecond };
    case "webhook":
      if (!config.webhook) throw new Error("webhook provider selected without WAYMARK_WEBHOOK_URL");
      return { kind, config: config.webhook, ratePerSecond };
    case "twilio":
      if (!config.twilio) throw new Error("twilio provider selected without TWILIO_* settings");
      return { kind, config: config.twilio, ratePerSecond };
    case "aliyun":
      if (!config.aliyun) throw new Error("aliyun provider selected without ALIYUN_* settings");
      return { kind, config: config.aliyun, ratePerSecond };
    default:
      return assertNever(kind);
  }
}

/** One provider for one choice; a channel that cannot build its kind here gets `console`. */
export function buildProvider(choice: ProviderChoice, deps: ProviderDeps): Provider {
  const { config, log } = deps;
  const timeoutMs = config.timeoutMs;
  switch (choice.kind) {
    case "console":
      return createConsoleProvider(log, choice.ratePerSecond);
    case "twilio":
      return createTwilioProvider({
        config: choice.config,
        publicUrl: config.publicUrl,
        timeoutMs,
        ratePerSecond: choice.ratePerSecond,
      });
    case "aliyun":
      return createAliyunProvider({
        config: choice.config,
        timeoutMs,
        ratePerSecond: choice.ratePerSecond,
      });
    case "webhook":
      return createWebhookProvider({
        config: choice.config,
        timeoutMs,
        ratePerSecond: choice.ratePerSecond,
      });
    case "smtp":
      if (!deps.email) return createConsoleProvider(log);
      return createSmtpProvider({
        config: choice.config,
        crypto: deps.email.crypto,
        linkBase: config.publicUrl ?? deps.email.linkBase,
        timeoutMs,
        maxConnections: config.worker.concurrency,
      });
    case "webpush":
      if (!deps.push) return createConsoleProvider(log);
      return createPushProvider({
        config: choice.config,
        knex: deps.push.knex,
        crypto: deps.push.crypto,
        log,
        timeoutMs,
        ...(deps.push.ca ? { ca: deps.push.ca } : {}),
        ...(deps.push.gate ? { gate: deps.push.gate } : {}),
      });
    default:
      return assertNever(choice);
  }
}

/**
 * Providers per channel from the environment. When SMS and the webhook channel both use the
 * environment's webhook, they share one provider (and so one rate limit), as they always have.
 */
export function createProviders(
  config: DeliveryConfig,
  log: DeliveryLog,
  email?: ProviderDeps["email"],
  push?: ProviderDeps["push"],
): ProviderSet {
  const deps: ProviderDeps = {
    config,
    log,
    ...(email ? { email } : {}),
    ...(push ? { push } : {}),
  };
  const set: ProviderSet = {};
  for (const channel of CHANNELS) set[channel] = buildProvider(envChoice(config, channel), deps);
  if (config.smsProvider === "webhook" && set.webhook) set.sms = set.webhook;
  return set;
}

export { createConsoleProvider } from "./console.ts";
export { createSmtpProvider } from "./email-smtp.ts";
export { createPushProvider } from "./push.ts";
export { createTwilioProvider, TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH } from "./twilio.ts";
export { createWebhookProvider } from "./webhook.ts";
