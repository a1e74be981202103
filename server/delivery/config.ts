import { z } from "zod";
import { ConfigError } from "../config.ts";
import { allowHostsFrom, fromEnv, numeric, present } from "./env-values.ts";
import {
  AliyunKind,
  AllowHostsSchema,
  SmtpKind,
  TwilioKind,
  WebhookKind,
} from "./provider-kinds.ts";
import { type PushConfig, pushFrom } from "./push-config.ts";

/**
 * Delivery settings from the environment. Like server/config.ts, this is the only place the
 * delivery code reads `process.env`, and the README's delivery table is this list:
 *
 * | variable                        | default                | meaning                                    |
 * |---------------------------------|------------------------|--------------------------------------------|
 * | WAYMARK_SMS_PROVIDER            | console                | console, webhook, twilio or aliyun         |
 * | WAYMARK_WEBHOOK_URL             | —                      | webhook provider target (required for it)  |
 * | WAYMARK_WEBHOOK_SECRET          | —                      | HMAC key for X-Waymark-Signature (≥16 ch.) |
 * | WAYMARK_WEBHOOK_LOOKUP_URL      | —                      | optional: "do you hold key K?" (webhook.ts)|
 * | WAYMARK_WEBHOOK_ALLOW_HOSTS     | —                      | hosts a webhook send may reach on private  |
 * |                                 |                        | or loopback addresses (destinations.ts)    |
 * | TWILIO_ACCOUNT_SID              | —                      | required for twilio; enables its webhooks  |
 * | TWILIO_AUTH_TOKEN               | —                      | API password and webhook signature key     |
 * | TWILIO_FROM                     | —                      | sender number, or a Messaging Service MG…  |
 * | TWILIO_BASE_URL                 | https://api.twilio.com | point at a Twilio-compatible API or a fake |
 * | ALIYUN_ACCESS_KEY_ID            | —                      | required for aliyun (a RAM user's AccessKey)|
 * | ALIYUN_ACCESS_KEY_SECRET        | —                      | its secret: signs every API call (ACS3)    |
 * | ALIYUN_SMS_ENDPOINT             | https://dysmsapi.aliyuncs.com | the API's base URL (a fake in tests) |
 * | ALIYUN_CALLBACK_TOKEN           | —                      | ≥16 ch.: the secret path segment of the    |
 * |                                 |                        | SmsReport/SmsUp callbacks (unset: 404)     |
 * | ALIYUN_SMS_DAILY_LIMIT          | 10                     | SMS per phone per China day at aliyun      |
 * | WAYMARK_PUBLIC_URL              | —                      | external base URL: StatusCallback, links   |
 * | WAYMARK_SMS_RATE_LIMIT          | twilio 10, aliyun 50, webhook 50, console 0 | messages/s per process |
 * | WAYMARK_DELIVERY_MAX_ATTEMPTS   | 10                     | provider calls before a message fails      |
 * | WAYMARK_DELIVERY_RETRY_BASE_MS  | 2000                   | first retry delay; doubles, ±50% jitter    |
 * | WAYMARK_DELIVERY_RETRY_MAX_MS   | 900000                 | retry delay cap (15 min)                   |
 * | WAYMARK_DELIVERY_TIMEOUT_MS     | 10000                  | provider HTTP timeout (outcome unknown)    |
 * | WAYMARK_DELIVERY_RECONCILE_MS   | 5000                   | wait before asking about an unknown outcome|
 * | WAYMARK_DELIVERY_CONCURRENCY    | 10                     | calls in flight per channel, per process   |
 * | WAYMARK_DELIVERY_MAX_OPEN       | 1000                   | calls open per channel, slow ones included |
 * | WAYMARK_DELIVERY_BATCH          | 50                     | messages claimed per statement             |
 * | WAYMARK_DELIVERY_POLL_MS        | 500                    | idle poll interval                         |
 * | WAYMARK_DELIVERY_RECORD_MS      | 5                      | sends recorded together within this window |
 * | WAYMARK_DELIVERY_LEASE_MS       | 60000                  | how long a claim lasts before it is swept  |
 * | WAYMARK_LINK_TTL_DAYS           | 30                     | tracked links expire after this (1–3650)   |
 * | WAYMARK_SMTP_URL                | —                      | smtp(s)://user:pass@host:port: email by SMTP|
 * | WAYMARK_EMAIL_FROM              | —                      | default sender (required with SMTP)        |
 * | WAYMARK_EMAIL_RATE_LIMIT        | 0                      | emails/s per process (0 = none)            |
 * | WAYMARK_EMAIL_WEBHOOK_SECRET    | —                      | HMAC key of the bounce/complaint webhook   |
 * | WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO| —                      | your mailbox for List-Unsubscribe mailto:  |
 * | WAYMARK_VAPID_*, WAYMARK_PUSH_* | —                      | web push: push-config.ts                   |
 */

export type SmsProviderKind = "console" | "webhook" | "twilio" | "aliyun";

export interface AliyunConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** `https://dysmsapi.aliyuncs.com` by default; a local fake in tests. */
  endpoint: string;
  /** The path segment that authenticates the SmsReport/SmsUp callbacks; unset: they answer 404. */
  callbackToken: string | undefined;
  /** The provider's per-phone daily limit (China calendar day), enforced before we send. */
  dailyLimit: number;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** A phone number (E.164) or a Messaging Service SID (`MG…`). */
  from: string;
  baseUrl: string;
}

export interface WebhookConfig {
  url: string;
  secret: string;
  /** Optional lookup endpoint: asked before a message whose outcome is unknown is resent. */
  lookupUrl?: string;
  /** Lower-case host names a send's own URL may reach on private or loopback addresses. */
  allowHosts?: string[];
}

export interface EmailConfig {
  /** smtp:// (STARTTLS when offered) or smtps:// (TLS from the first byte), with credentials. */
  smtpUrl: string;
  /** The sender when a send names none: `news@shop.example` or `Shop <news@shop.example>`. */
  from: string;
  ratePerSecond: number | null;
  /**
   * A mailbox the operator reads (WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO): promotional email then
   * offers `<mailto:…>` beside the https one-click URL in List-Unsubscribe. Never derived from
   * the sender: a mailbox nobody reads would swallow unsubscribes. The mail arriving there is
   * reported back through POST /v1/email/events (`unsubscribe`, email-webhook.ts).
   */
  unsubscribeMailto?: string;
}

export interface WorkerSettings {
  batchSize: number;
  pollMs: number;
  /**
   * Accepted sends are written together (recorder.ts): at most this long after the first of a
   * set was answered, or once a claim's worth (batchSize) is waiting.
   */
  recordMs: number;
  /** Per channel: calls in flight at normal latency (server/delivery/lanes.ts). */
  concurrency: number;
  /** Per channel: calls open at once, including slow ones that gave up their slot. */
  maxOpen: number;
  /** How long after a call with an unknown outcome the provider is asked about it. */
  reconcileMs: number;
  /** The providers' HTTP timeout (DeliveryConfig.timeoutMs): a lane's slow-call ceiling. */
  timeoutMs: number;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface DeliveryConfig {
  smsProvider: SmsProviderKind;
  /** Set whenever TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are: the webhooks work without sending. */
  twilio: TwilioConfig | null;
  webhook: WebhookConfig | null;
  /** Set whenever ALIYUN_ACCESS_KEY_ID and _SECRET are (server/delivery/providers/aliyun.ts). */
  aliyun: AliyunConfig | null;
  /** Set when WAYMARK_SMTP_URL is: email goes out over SMTP (providers/email-smtp.ts). */
  email: EmailConfig | null;
  /** Set when the VAPID keys are: push goes out by web push (providers/push.ts). */
  push: PushConfig | null;
  /**
   * WAYMARK_WEBHOOK_ALLOW_HOSTS: the hosts a provider URL entered in Settings may reach on
   * private or loopback addresses (destinations.ts), as for a webhook send.
   */
  allowHosts: string[];
  /** HMAC key of POST /v1/email/events (bounces, complaints); unset: the endpoint answers 404. */
  emailWebhookSecret: string | undefined;
  /**
   * Base URL the outside world reaches us at, without a trailing slash. Unset: no
   * StatusCallback is sent and signatures are checked against the request's own Host.
   */
  publicUrl: string | undefined;
  /** Messages/s per process for the SMS provider; null = unlimited. */
  smsRatePerSecond: number | null;
  timeoutMs: number;
  linkTtlMs: number;
  worker: WorkerSettings;
}

/** Worker defaults; the env table above documents the same numbers. */
export const DEFAULT_WORKER_SETTINGS: Readonly<WorkerSettings> = {
  batchSize: 50,
  pollMs: 500,
  recordMs: 5,
  concurrency: 10,
  maxOpen: 1000,
  reconcileMs: 5000,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  maxAttempts: 10,
  retryBaseMs: 2000,
  retryMaxMs: 900_000,
};

/**
 * WAYMARK_LINK_TTL_DAYS: how long a tracked link resolves after its message is queued. The
 * ceiling keeps every expiry a valid date: a TTL of 10⁹ days would make the ticker's batches
 * that carry links fail on an invalid Date, every one of them, until the setting is changed.
 */
export const LINK_TTL_DAYS = { default: 30, min: 1, max: 3650 } as const;

/** Messages/s per process an SMS kind gets unless WAYMARK_SMS_RATE_LIMIT says otherwise. */
export const DEFAULT_RATE: Record<SmsProviderKind, number> = {
  console: 0,
  webhook: 50,
  twilio: 10,
  aliyun: 50,
};

export function loadDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DeliveryConfig {
  const smsProvider = providerKind(env.WAYMARK_SMS_PROVIDER);
  const twilio = twilioFrom(env);
  const webhook = webhookFrom(env);
  const aliyun = aliyunFrom(env);
  if (smsProvider === "aliyun" && !aliyun) {
    throw new ConfigError(
      "WAYMARK_SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET",
    );
  }
  if (smsProvider === "twilio" && !twilio?.from) {
    throw new ConfigError(
      "WAYMARK_SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM",
    );
  }
  if (smsProvider === "webhook" && !webhook) {
    throw new ConfigError(
      "WAYMARK_SMS_PROVIDER=webhook needs WAYMARK_WEBHOOK_URL and WAYMARK_WEBHOOK_SECRET",
    );
  }
  const d = DEFAULT_WORKER_SETTINGS;
  const rate = number(env, "WAYMARK_SMS_RATE_LIMIT", DEFAULT_RATE[smsProvider], { min: 0 });
  const timeoutMs = int(env, "WAYMARK_DELIVERY_TIMEOUT_MS", d.timeoutMs, 100);
  return {
    smsProvider,
    twilio,
    webhook,
    aliyun,
    email: emailFrom(env),
    push: pushFrom(env),
    allowHosts: fromEnv(
      z.object({ hosts: AllowHostsSchema }),
      { hosts: allowHostsFrom(env.WAYMARK_WEBHOOK_ALLOW_HOSTS) },
      { hosts: "WAYMARK_WEBHOOK_ALLOW_HOSTS" },
    ).hosts,
    emailWebhookSecret: secretFrom(env, "WAYMARK_EMAIL_WEBHOOK_SECRET"),
    publicUrl: url(env, "WAYMARK_PUBLIC_URL"),
    smsRatePerSecond: rate === 0 ? null : rate,
    timeoutMs,
    linkTtlMs:
      number(env, "WAYMARK_LINK_TTL_DAYS", LINK_TTL_DAYS.default, {
        min: LINK_TTL_DAYS.min,
        max: LINK_TTL_DAYS.max,
        integer: true,
      }) * 86_400_000,
    worker: {
      batchSize: int(env, "WAYMARK_DELIVERY_BATCH", d.batchSize, 1),
      pollMs: int(env, "WAYMARK_DELIVERY_POLL_MS", d.pollMs, 10),
      recordMs: int(env, "WAYMARK_DELIVERY_RECORD_MS", d.recordMs, 0),
      concurrency: int(env, "WAYMARK_DELIVERY_CONCURRENCY", d.concurrency, 1),
      maxOpen: int(env, "WAYMARK_DELIVERY_MAX_OPEN", d.maxOpen, 1),
      reconcileMs: int(env, "WAYMARK_DELIVERY_RECONCILE_MS", d.reconcileMs, 0),
      timeoutMs,
      leaseMs: int(env, "WAYMARK_DELIVERY_LEASE_MS", d.leaseMs, 1000),
      maxAttempts: int(env, "WAYMARK_DELIVERY_MAX_ATTEMPTS", d.maxAttempts, 1),
      retryBaseMs: int(env, "WAYMARK_DELIVERY_RETRY_BASE_MS", d.retryBaseMs, 1),
      retryMaxMs: int(env, "WAYMARK_DELIVERY_RETRY_MAX_MS", d.retryMaxMs, 1),
    },
  };
}

function providerKind(raw: string | undefined): SmsProviderKind {
  const value = (raw ?? "").trim().toLowerCase() || "console";
  if (value === "console" || value === "webhook" || value === "twilio" || value === "aliyun") {
    return value;
  }
  throw new ConfigError(
    `WAYMARK_SMS_PROVIDER must be console, webhook, twilio or aliyun, got "${raw}"`,
  );
}

function aliyunFrom(env: NodeJS.ProcessEnv): AliyunConfig | null {
  const accessKeyId = env.ALIYUN_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIYUN_ACCESS_KEY_SECRET?.trim();
  if (!accessKeyId || !accessKeySecret) return null;
  const aliyun = fromEnv(
    AliyunKind,
    {
      accessKeyId,
      accessKeySecret,
      endpoint: present(env.ALIYUN_SMS_ENDPOINT),
      callbackToken: env.ALIYUN_CALLBACK_TOKEN || undefined,
      dailyLimit: numeric(env.ALIYUN_SMS_DAILY_LIMIT),
    },
    {
      accessKeyId: "ALIYUN_ACCESS_KEY_ID",
      accessKeySecret: "ALIYUN_ACCESS_KEY_SECRET",
      endpoint: "ALIYUN_SMS_ENDPOINT",
      callbackToken: "ALIYUN_CALLBACK_TOKEN",
      dailyLimit: "ALIYUN_SMS_DAILY_LIMIT",
    },
  );
  return { ...aliyun, callbackToken: aliyun.callbackToken };
}

function twilioFrom(env: NodeJS.ProcessEnv): TwilioConfig | null {
  const accountSid = env.TWILIO_ACCOUNT_SID?.trim();
  const authToken = env.TWILIO_AUTH_TOKEN?.trim();
  if (!accountSid || !authToken) return null;
  // Without a sender Twilio still authenticates its webhooks; sending needs one (checked above).
  const twilio = fromEnv(
    TwilioKind.partial({ from: true }),
    {
      accountSid,
      authToken,
      from: present(env.TWILIO_FROM),
      baseUrl: present(env.TWILIO_BASE_URL),
    },
    {
      accountSid: "TWILIO_ACCOUNT_SID",
      authToken: "TWILIO_AUTH_TOKEN",
      from: "TWILIO_FROM",
      baseUrl: "TWILIO_BASE_URL",
    },
  );
  return { ...twilio, from: twilio.from ?? "" };
}

function webhookFrom(env: NodeJS.ProcessEnv): WebhookConfig | null {
  const target = present(env.WAYMARK_WEBHOOK_URL);
  if (!target) return null;
  const webhook = fromEnv(
    WebhookKind,
    {
      url: target,
      secret: env.WAYMARK_WEBHOOK_SECRET ?? "",
      lookupUrl: present(env.WAYMARK_WEBHOOK_LOOKUP_URL),
      allowHosts: allowHostsFrom(env.WAYMARK_WEBHOOK_ALLOW_HOSTS),
    },
    {
      url: "WAYMARK_WEBHOOK_URL",
      secret: "WAYMARK_WEBHOOK_SECRET",
      lookupUrl: "WAYMARK_WEBHOOK_LOOKUP_URL",
      allowHosts: "WAYMARK_WEBHOOK_ALLOW_HOSTS",
    },
  );
  const { lookupUrl, ...base } = webhook;
  return lookupUrl ? { ...base, lookupUrl } : base;
}

function emailFrom(env: NodeJS.ProcessEnv): EmailConfig | null {
  const raw = present(env.WAYMARK_SMTP_URL);
  if (!raw) return null;
  const email = fromEnv(
    SmtpKind,
    {
      smtpUrl: raw,
      from: env.WAYMARK_EMAIL_FROM ?? "",
      ratePerSecond: numeric(env.WAYMARK_EMAIL_RATE_LIMIT),
      unsubscribeMailto: env.WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO ?? "",
    },
    {
      smtpUrl: "WAYMARK_SMTP_URL",
      from: "WAYMARK_EMAIL_FROM",
      ratePerSecond: "WAYMARK_EMAIL_RATE_LIMIT",
      unsubscribeMailto: "WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO",
    },
  );
  return smtpConfig(email);
}

/** A checked SMTP kind as the provider takes it (a rate of 0 means none). */
export function smtpConfig(email: z.output<typeof SmtpKind>): EmailConfig {
  return {
    smtpUrl: email.smtpUrl,
    from: email.from,
    ratePerSecond: email.ratePerSecond === 0 ? null : email.ratePerSecond,
    ...(email.unsubscribeMailto ? { unsubscribeMailto: email.unsubscribeMailto } : {}),
  };
}

function secretFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const secret = env[name] ?? "";
  if (secret === "") return undefined;
  if (secret.length < 16) throw new ConfigError(`${name} must be at least 16 characters`);
  return secret;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  return number(env, name, fallback, { min, integer: true });
}

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  rule: { min: number; max?: number; integer?: boolean },
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  const { min, max } = rule;
  if (
    !Number.isFinite(n) ||
    n < min ||
    (max !== undefined && n > max) ||
    (rule.integer && !Number.isInteger(n))
  ) {
    const kind = rule.integer ? "an integer" : "a number";
    const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be ${kind} ${range}, got "${raw}"`);
  }
  return n;
}
