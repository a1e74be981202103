import type { Knex } from "knex";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import type { FieldCrypto } from "../../privacy/keys.ts";
import type { DeliveryConfig } from "../config.ts";
import type { DeliveryLog, Provider, ProviderSet } from "../types.ts";
import { createAliyunProvider } from "./aliyun.ts";
import { createConsoleProvider } from "./console.ts";
import { createSmtpProvider } from "./email-smtp.ts";
import { createPushProvider } from "./push.ts";
import { createTwilioProvider } from "./twilio.ts";
import { createWebhookProvider } from "./webhook.ts";

/**
 * Providers per channel from the configuration. SMS goes where WAYMARK_SMS_PROVIDER says;
 * the `webhook` channel (a journey node that calls your system) uses the webhook provider when
 * one is configured; email goes over SMTP when WAYMARK_SMTP_URL is set (its unsubscribe and
 * open-pixel links need the secret and the public base URL, hence `email`), else to `console`;
 * push goes by web push when the VAPID keys are set (it reads the contact's subscriptions, hence
 * `push`; `ca` trusts a private push gateway's certificate), else to `console`.
 */
export function createProviders(
  config: DeliveryConfig,
  log: DeliveryLog,
  email?: { crypto: FieldCrypto; linkBase: string },
  push?: { knex: Knex; crypto: FieldCrypto; ca?: string | Buffer },
): ProviderSet {
  const consoleProvider = createConsoleProvider(log);
  const webhook = config.webhook
    ? createWebhookProvider({
        config: config.webhook,
        timeoutMs: config.timeoutMs,
        ratePerSecond: config.smsProvider === "webhook" ? config.smsRatePerSecond : null,
      })
    : null;
  return {
    sms: smsProvider(config, log, webhook),
    email:
      config.email && email
        ? createSmtpProvider({
            config: config.email,
            crypto: email.crypto,
            linkBase: config.publicUrl ?? email.linkBase,
            timeoutMs: config.timeoutMs,
            maxConnections: config.worker.concurrency,
          })
        : consoleProvider,
    push:
      config.push && push
        ? createPushProvider({
            config: config.push,
            knex: push.knex,
            crypto: push.crypto,
            log,
            timeoutMs: config.timeoutMs,
            ...(push.ca ? { ca: push.ca } : {}),
          })
        : consoleProvider,
    webhook: webhook ?? consoleProvider,
  };
}

function smsProvider(config: DeliveryConfig, log: DeliveryLog, webhook: Provider | null): Provider {
  const kind = config.smsProvider;
  switch (kind) {
    case "console":
      return createConsoleProvider(log, config.smsRatePerSecond);
    case "webhook":
      if (!webhook) throw new Error("webhook provider selected without WAYMARK_WEBHOOK_URL");
      return webhook;
    case "twilio":
      if (!config.twilio) throw new Error("twilio provider selected without TWILIO_* settings");
      return createTwilioProvider({
        config: config.twilio,
        publicUrl: config.publicUrl,
        timeoutMs: config.timeoutMs,
        ratePerSecond: config.smsRatePerSecond,
      });
    case "aliyun":
      if (!config.aliyun) throw new Error("aliyun provider selected without ALIYUN_* settings");
      return createAliyunProvider({
        config: config.aliyun,
        timeoutMs: config.timeoutMs,
        ratePerSecond: config.smsRatePerSecond,
      });
    default:
      return assertNever(kind);
  }
}

export { createConsoleProvider } from "./console.ts";
export { createSmtpProvider } from "./email-smtp.ts";
export { createPushProvider } from "./push.ts";
export { createTwilioProvider, TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH } from "./twilio.ts";
export { createWebhookProvider } from "./webhook.ts";
