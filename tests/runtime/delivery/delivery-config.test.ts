import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../server/config.ts";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { parseRetryAfter } from "../../../server/delivery/providers/http.ts";
import { retryDelayMs } from "../../../server/delivery/rate-limit.ts";

/** Delivery settings from the environment (server/delivery/config.ts) and the retry backoff. */

describe("delivery configuration and retry policy", () => {
  it("defaults to the console provider with documented worker defaults", () => {
    const config = loadDeliveryConfig({});
    expect(config).toMatchObject({
      smsProvider: "console",
      twilio: null,
      webhook: null,
      publicUrl: undefined,
      smsRatePerSecond: null,
      timeoutMs: 10_000,
      linkTtlMs: 30 * 86_400_000,
      worker: {
        batchSize: 50,
        pollMs: 500,
        concurrency: 10,
        maxOpen: 1000,
        reconcileMs: 5000,
        timeoutMs: 10_000,
        leaseMs: 60_000,
        maxAttempts: 10,
      },
    });
  });

  it("reads Aliyun settings: keys required for the provider, the callback token ≥ 16, the daily limit", () => {
    const keys = { ALIYUN_ACCESS_KEY_ID: "LTAI5t", ALIYUN_ACCESS_KEY_SECRET: "secret" };
    expect(() => loadDeliveryConfig({ WAYMARK_SMS_PROVIDER: "aliyun" })).toThrow(
      /ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET/,
    );
    const config = loadDeliveryConfig({ ...keys, WAYMARK_SMS_PROVIDER: "aliyun" });
    expect(config.aliyun).toEqual({
      accessKeyId: "LTAI5t",
      accessKeySecret: "secret",
      endpoint: "https://dysmsapi.aliyuncs.com",
      callbackToken: undefined,
      dailyLimit: 10,
    });
    expect(config.smsRatePerSecond).toBe(50);
    const tuned = loadDeliveryConfig({
      ...keys,
      ALIYUN_SMS_ENDPOINT: "http://127.0.0.1:9000/",
      ALIYUN_CALLBACK_TOKEN: "t".repeat(16),
      ALIYUN_SMS_DAILY_LIMIT: "3",
    });
    expect(tuned.aliyun).toMatchObject({
      endpoint: "http://127.0.0.1:9000",
      callbackToken: "t".repeat(16),
      dailyLimit: 3,
    });
    expect(() => loadDeliveryConfig({ ...keys, ALIYUN_CALLBACK_TOKEN: "short" })).toThrow(/16/);
    expect(() => loadDeliveryConfig({ ...keys, ALIYUN_SMS_DAILY_LIMIT: "0" })).toThrow(
      /ALIYUN_SMS_DAILY_LIMIT/,
    );
  });

  it("reads the reconcile, open-call and webhook lookup settings, refusing bad ones by name", () => {
    const webhook = {
      WAYMARK_WEBHOOK_URL: "https://x.example/hook",
      WAYMARK_WEBHOOK_SECRET: "s".repeat(16),
    };
    const config = loadDeliveryConfig({
      ...webhook,
      WAYMARK_WEBHOOK_LOOKUP_URL: "https://x.example/lookup/",
      WAYMARK_DELIVERY_RECONCILE_MS: "0",
      WAYMARK_DELIVERY_MAX_OPEN: "50",
      WAYMARK_DELIVERY_TIMEOUT_MS: "3000",
    });
    expect(config.webhook?.lookupUrl).toBe("https://x.example/lookup");
    expect(config.worker).toMatchObject({ reconcileMs: 0, maxOpen: 50, timeoutMs: 3000 });
    expect(config.timeoutMs).toBe(3000);
    expect(loadDeliveryConfig({ WAYMARK_LINK_TTL_DAYS: "3650" }).linkTtlMs).toBe(3650 * 86_400_000);
    for (const [name, value] of [
      ["WAYMARK_WEBHOOK_LOOKUP_URL", "javascript:alert(1)"],
      ["WAYMARK_WEBHOOK_LOOKUP_URL", "\u0000"],
      ["WAYMARK_DELIVERY_RECONCILE_MS", "-1"],
      ["WAYMARK_DELIVERY_RECONCILE_MS", "soon"],
      ["WAYMARK_DELIVERY_MAX_OPEN", "0"],
      ["WAYMARK_DELIVERY_MAX_OPEN", "1e309"],
      ["WAYMARK_DELIVERY_MAX_OPEN", "2.5"],
      // A link must expire at a date that exists: beyond ten years is refused at start.
      ["WAYMARK_LINK_TTL_DAYS", "0"],
      ["WAYMARK_LINK_TTL_DAYS", "3651"],
      ["WAYMARK_LINK_TTL_DAYS", "1000000000"],
      ["WAYMARK_LINK_TTL_DAYS", "1.5"],
    ] as const) {
      expect(() => loadDeliveryConfig({ ...webhook, [name]: value }), `${name}=${value}`).toThrow(
        new RegExp(name),
      );
    }
  });

  it("reads Twilio settings, trims trailing slashes and refuses incomplete or invalid ones", () => {
    const config = loadDeliveryConfig({
      WAYMARK_SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: "AC123",
      TWILIO_AUTH_TOKEN: "tok",
      TWILIO_FROM: "+15005550006",
      WAYMARK_PUBLIC_URL: "https://waymark.example/",
    });
    expect(config.twilio).toEqual({
      accountSid: "AC123",
      authToken: "tok",
      from: "+15005550006",
      baseUrl: "https://api.twilio.com",
    });
    expect(config.publicUrl).toBe("https://waymark.example");
    expect(config.smsRatePerSecond).toBe(10);
    expect(() => loadDeliveryConfig({ WAYMARK_SMS_PROVIDER: "twilio" })).toThrow(ConfigError);
    expect(() => loadDeliveryConfig({ WAYMARK_SMS_PROVIDER: "carrier-pigeon" })).toThrow(
      /console, webhook, twilio or aliyun/,
    );
    expect(() =>
      loadDeliveryConfig({
        WAYMARK_WEBHOOK_URL: "https://x.example",
        WAYMARK_WEBHOOK_SECRET: "short",
      }),
    ).toThrow(/16/);
    expect(() => loadDeliveryConfig({ WAYMARK_DELIVERY_BATCH: "0" })).toThrow(
      /WAYMARK_DELIVERY_BATCH/,
    );
  });

  it("backs off exponentially with equal jitter, capped, and never sooner than Retry-After", () => {
    const policy = { retryBaseMs: 1000, retryMaxMs: 8000 };
    expect(retryDelayMs(1, policy, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(3, policy, undefined, () => 1)).toBe(4000);
    expect(retryDelayMs(10, policy, undefined, () => 1)).toBe(8000);
    expect(retryDelayMs(1, policy, 30_000, () => 1)).toBe(30_000);
    expect(parseRetryAfter("120", 0)).toBe(120_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });
  it("reads the unsubscribe mailbox: a bare address, refused by name otherwise", () => {
    const smtp = {
      WAYMARK_SMTP_URL: "smtp://127.0.0.1:2525",
      WAYMARK_EMAIL_FROM: "news@shop.example",
    };
    expect(loadDeliveryConfig(smtp).email?.unsubscribeMailto).toBeUndefined();
    expect(
      loadDeliveryConfig({
        ...smtp,
        WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO: " unsubscribe+news@shop.example ",
      }).email?.unsubscribeMailto,
    ).toBe("unsubscribe+news@shop.example");
    for (const bad of [
      "Shop <u@shop.example>",
      "u@shop.example?subject=x",
      "a@b.c>, <https://x",
      "nobody",
    ]) {
      expect(() => loadDeliveryConfig({ ...smtp, WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO: bad })).toThrow(
        /WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO must be a bare address/,
      );
    }
  });
});
