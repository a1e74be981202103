import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RATE } from "../../server/delivery/config.ts";
import { choiceFrom } from "../../server/delivery/provider-store.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";

/**
 * Providers in Settings under hostile bodies: an unknown channel or kind, fields of another
 * kind, secrets in settings, URLs a provider may not reach (javascript:, link-local, private),
 * short secrets, NUL — each a 400 naming the field, no secret echoed, nothing stored.
 */
const TOKEN_B = "b-token-0123456789abcdef-SECRET";

describe.each(databaseKinds)("provider settings under hostile input on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let fake: FakeTwilio;
  const api = (method: string, path: string, body?: unknown) =>
    app.call<{ error: { message: string } }>(method, path, body);
  const twilioForm = (token?: string) => ({
    kind: "twilio",
    settings: { accountSid: fake.accountSid, from: "+15005550006", baseUrl: fake.baseUrl },
    secrets: token === undefined ? {} : { authToken: token },
  });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    fake = await startFakeTwilio({ authToken: TOKEN_B });
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"), {
      WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
    });
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await db?.close();
  });

  it("refuses hostile bodies with a 400 naming the field, provider URLs by the SSRF rules", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["/api/providers/fax", { kind: "console" }, /^channel:/],
      ["/api/providers/sms", { kind: "carrier-pigeon" }, /^kind:/],
      ["/api/providers/email", { kind: "twilio" }, /^kind:/],
      [
        "/api/providers/sms",
        {
          ...twilioForm(TOKEN_B),
          settings: { ...twilioForm().settings, authToken: "x" },
        },
        /^settings\.authToken:/,
      ],
      [
        "/api/providers/sms",
        {
          ...twilioForm(TOKEN_B),
          settings: { ...twilioForm().settings, bogus: 1 },
        },
        /^settings\.bogus:/,
      ],
      [
        "/api/providers/sms",
        { ...twilioForm(TOKEN_B), secrets: { authToken: TOKEN_B, from: "x" } },
        /^secrets\.from:/,
      ],
      [
        "/api/providers/sms",
        {
          ...twilioForm(TOKEN_B),
          settings: { ...twilioForm().settings, baseUrl: "javascript:alert(1)" },
        },
        /^settings\.baseUrl: must be an http\(s\) URL/,
      ],
      [
        "/api/providers/sms",
        {
          ...twilioForm(TOKEN_B),
          settings: { ...twilioForm().settings, baseUrl: "http://169.254.169.254" },
        },
        /^settings\.baseUrl: .*link-local/,
      ],
      [
        "/api/providers/sms",
        {
          ...twilioForm(TOKEN_B),
          settings: { ...twilioForm().settings, baseUrl: "http://10.1.2.3" },
        },
        /^settings\.baseUrl: .*private/,
      ],
      [
        "/api/providers/webhook",
        {
          kind: "webhook",
          settings: { url: "https://hooks.example" },
          secrets: { secret: "short" },
        },
        /^secrets\.secret: must be at least 16/,
      ],
      [
        "/api/providers/email",
        {
          kind: "smtp",
          settings: { from: "Shop <news@shop.example>" },
          secrets: { smtpUrl: "https://u:pw-SECRET@x" },
        },
        /^secrets\.smtpUrl: must be an smtp:\/\//,
      ],
      [
        "/api/providers/sms",
        {
          ...twilioForm(TOKEN_B),
          settings: { ...twilioForm().settings, ratePerSecond: -1 },
        },
        /^settings\.ratePerSecond: must be a number ≥ 0/,
      ],
      ["/api/providers/sms", { kind: "console", settings: "nope" }, /^settings:/],
      ["/api/providers/sms", { kind: "console\u0000" }, /kind/],
    ];
    for (const [path, body, message] of cases) {
      const res = await api("PUT", path, body);
      expect([path, res.status], res.text).toEqual([path, 400]);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
      expect(res.text).not.toContain("pw-SECRET");
    }
    const badTo = await api("POST", "/api/providers/sms/test", { to: "call me" });
    expect(badTo.status).toBe(400);
    expect(badTo.body.error.message).toMatch(/^to:/);
    const badMail = await api("POST", "/api/providers/email/test", { to: "nobody" });
    expect(badMail.body.error.message).toMatch(/^to:/);
    const stored = (await db.knex("delivery_providers").count("* as n").first()) as { n: unknown };
    expect(Number(stored.n)).toBe(0);
  });

  it("keeps a rate the admin sets, and runs the kind's default without one", async () => {
    const saved = await app.call<{ settings: Record<string, unknown> }>(
      "PUT",
      "/api/providers/sms",
      { ...twilioForm(TOKEN_B), settings: { ...twilioForm().settings, ratePerSecond: 1 } },
    );
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.settings.ratePerSecond).toBe(1);
    await app.call("DELETE", "/api/providers/sms");
  });
});

/** The process's rate a choice runs at (SMTP's travels in its config; not asked here). */
const rateOf = (c: ReturnType<typeof choiceFrom>) =>
  "ratePerSecond" in c ? c.ratePerSecond : undefined;

describe("a stored provider's rate", () => {
  const twilio = {
    accountSid: "AC0123",
    authToken: "token",
    from: "+15005550006",
    baseUrl: "https://api.twilio.com",
  };
  const hook = { url: "https://hooks.example", secret: "0123456789abcdef", allowHosts: [] };
  it("is the one its settings name, else the kind's default; webhook sends are unlimited by default", () => {
    expect(rateOf(choiceFrom({ channel: "sms", kind: "twilio", fields: twilio }))).toBe(
      DEFAULT_RATE.twilio,
    );
    const slow = choiceFrom({
      channel: "sms",
      kind: "twilio",
      fields: { ...twilio, ratePerSecond: 1 },
    });
    expect(slow).toMatchObject({ ratePerSecond: 1, config: twilio });
    expect(slow.kind === "twilio" && "ratePerSecond" in slow.config).toBe(false);
    expect(rateOf(choiceFrom({ channel: "webhook", kind: "webhook", fields: hook }))).toBeNull();
    expect(rateOf(choiceFrom({ channel: "sms", kind: "webhook", fields: hook }))).toBe(
      DEFAULT_RATE.webhook,
    );
    const fast = { ...hook, ratePerSecond: 5 };
    expect(rateOf(choiceFrom({ channel: "webhook", kind: "webhook", fields: fast }))).toBe(5);
  });
});
