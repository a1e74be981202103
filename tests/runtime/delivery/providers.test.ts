import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleProvider } from "../../../server/delivery/providers/console.ts";
import { createTwilioProvider } from "../../../server/delivery/providers/twilio.ts";
import { createWebhookProvider } from "../../../server/delivery/providers/webhook.ts";
import { twilioSignature, verifyWebhookSignature } from "../../../server/delivery/signatures.ts";
import type { SendRequest } from "../../../server/delivery/types.ts";
import { startFakeTwilio } from "../../helpers/fake-twilio.ts";

const SECRET = "webhook-secret-0123456789";
const request: SendRequest = {
  idempotencyKey: "enr1:send1:1",
  to: "+8613812341234",
  body: "回TD退订",
  channel: "sms",
  messageId: 42,
};

describe("webhook provider", () => {
  type Answer = { status: number; headers?: Record<string, string>; body?: string; hang?: boolean };
  let answer: Answer = { status: 200 };
  const seen: { headers: IncomingMessage["headers"]; body: string; valid: boolean }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["x-waymark-signature"];
      const valid = verifyWebhookSignature(
        SECRET,
        typeof header === "string" ? header : undefined,
        body,
        Date.now() / 1000,
      );
      seen.push({ headers: req.headers, body, valid });
      if (answer.hang) return;
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body ?? "");
    });
  });
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const provider = () =>
    createWebhookProvider({ config: { url, secret: SECRET }, timeoutMs: 300, ratePerSecond: null });

  it("POSTs signed JSON with the idempotency key and keeps the receiver's id", async () => {
    answer = { status: 200, body: JSON.stringify({ id: "hook-1" }) };
    expect(await provider().send(request)).toEqual({ kind: "sent", providerMessageId: "hook-1" });
    const last = seen.at(-1);
    expect(last?.valid).toBe(true);
    expect(last?.headers["idempotency-key"]).toBe("enr1:send1:1");
    expect(last?.headers["x-waymark-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(last?.body ?? "{}")).toEqual({
      messageId: 42,
      idempotencyKey: "enr1:send1:1",
      channel: "sms",
      to: "+8613812341234",
      body: "回TD退订",
    });
    // A tampered body does not verify.
    expect(
      verifyWebhookSignature(
        SECRET,
        String(last?.headers["x-waymark-signature"]),
        `${last?.body} `,
        Date.now() / 1000,
      ),
    ).toBe(false);
  });

  it("retries 429/5xx (with Retry-After) and refused connections; a timeout or a 502/504 is an unknown outcome; fails other 4xx", async () => {
    answer = { status: 503, headers: { "retry-after": "2" } };
    expect(await provider().send(request)).toMatchObject({ kind: "retry", retryAfterMs: 2000 });
    answer = { status: 429 };
    expect(await provider().send(request)).toMatchObject({
      kind: "retry",
      error: expect.stringContaining("429"),
    });
    answer = { status: 422, body: '{"error":"bad number +8613812341234"}' };
    const failed = await provider().send(request);
    expect(failed).toMatchObject({ kind: "failed" });
    expect(JSON.stringify(failed)).not.toContain("13812341234");
    // The receiver may have taken these: reconciled before any resend, never blindly retried.
    answer = { status: 200, hang: true };
    expect(await provider().send(request)).toEqual({
      kind: "unknown",
      error: "timed out after 300 ms",
    });
    for (const status of [502, 504]) {
      answer = { status };
      expect(await provider().send(request)).toMatchObject({ kind: "unknown" });
    }
    // A port nothing listens on (fetch refuses port 1 outright, which says nothing either way).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = createWebhookProvider({
      config: { url: `http://127.0.0.1:${port}/hook`, secret: SECRET },
      timeoutMs: 300,
      ratePerSecond: null,
    });
    // Nothing left this machine: a plain retry.
    expect(await refused.send(request)).toMatchObject({ kind: "retry" });
  });
});

describe("console and Twilio providers", () => {
  it("console logs the message with the number masked and returns a stable synthetic id", async () => {
    const lines: string[] = [];
    const log = pino(
      { level: "info" },
      new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const provider = createConsoleProvider(log);
    const a = await provider.send(request);
    const b = await provider.send(request);
    expect(a).toEqual(b);
    expect(a).toMatchObject({
      kind: "sent",
      providerMessageId: expect.stringMatching(/^console_[0-9a-f]{24}$/),
    });
    expect(lines.join("")).toContain("138****1234");
    expect(lines.join("")).not.toContain("13812341234");
  });

  it("Twilio: wrong credentials fail without retry; the API answer's sid is kept", async () => {
    const fake = await startFakeTwilio();
    try {
      const config = {
        accountSid: fake.accountSid,
        authToken: "wrong",
        from: "+15005550006",
        baseUrl: fake.baseUrl,
      };
      const bad = createTwilioProvider({
        config,
        publicUrl: undefined,
        timeoutMs: 1000,
        ratePerSecond: null,
      });
      expect(await bad.send(request)).toMatchObject({
        kind: "failed",
        error: expect.stringContaining("20003"),
      });
      const good = createTwilioProvider({
        config: { ...config, authToken: fake.authToken },
        publicUrl: undefined,
        timeoutMs: 1000,
        ratePerSecond: null,
      });
      const sent = await good.send(request);
      expect(sent).toEqual({ kind: "sent", providerMessageId: fake.deliveries[0]?.sid });
      // Without a public URL there is nowhere for Twilio to call back.
      expect(fake.deliveries[0]?.statusCallback).toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  it("computes X-Twilio-Signature exactly as Twilio documents it", () => {
    const params = {
      CallSid: "CA1234567890ABCDE",
      Caller: "+14158675309",
      Digits: "1234",
      From: "+14158675309",
      To: "+18005551212",
    };
    expect(twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).toBe(
      "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    );
  });
});

describe("lookups read hostile answers as data, never as a yes", () => {
  let body = "";
  let status = 200;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
  });
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const since = new Date(Date.now() - 1000);

  it("webhook: only a boolean `accepted` counts; ids are bounded", async () => {
    const provider = createWebhookProvider({
      config: { url: `${base}/hook`, secret: SECRET, lookupUrl: `${base}/lookup` },
      timeoutMs: 300,
      ratePerSecond: null,
    });
    const ask = () => provider.lookup?.({ ...request, since });
    for (const hostile of [
      '{"accepted":"true"}',
      '{"__proto__":{"accepted":true}}',
      '{"constructor":{"accepted":true}}',
      "not json",
      "",
      `{"accepted":${"[".repeat(5000)}${"]".repeat(5000)}}`,
      '"\u0000"',
    ]) {
      body = hostile;
      expect(await ask(), hostile.slice(0, 40)).toMatchObject({ kind: "unavailable" });
    }
    body = '{"accepted":false}';
    expect(await ask()).toEqual({ kind: "not_accepted" });
    body = JSON.stringify({ accepted: true, id: `x${"\ud800".repeat(1)}${"y".repeat(10_000)}` });
    const accepted = await ask();
    expect(accepted?.kind).toBe("accepted");
    if (accepted?.kind === "accepted") expect(accepted.providerMessageIds[0]?.length).toBe(200);
    status = 404;
    body = '{"accepted":true}';
    expect(await ask()).toMatchObject({ kind: "unavailable" });
    status = 200;
  });

  it("Twilio: malformed entries are skipped, and a next page on another host is not followed", async () => {
    const provider = createTwilioProvider({
      config: { accountSid: "AC1", authToken: "t", from: "+15005550006", baseUrl: base },
      publicUrl: undefined,
      timeoutMs: 300,
      ratePerSecond: null,
    });
    const match = {
      sid: "SMok",
      body: request.body,
      date_created: new Date().toUTCString(),
      direction: "outbound-api",
    };
    body = JSON.stringify({
      messages: [
        null,
        "x",
        { ...match, sid: 42 },
        { ...match, sid: "SMbad-date", date_created: "yesterday-ish" },
        { ...match, sid: "SMinbound", direction: "inbound" },
        { ...match, sid: "SMother", body: "another text" },
        { __proto__: { sid: "SMproto" } },
        match,
      ],
      next_page_uri: "https://evil.example/2010-04-01/Accounts/AC1/Messages.json?Page=1",
    });
    expect(await provider.lookup?.({ ...request, since })).toEqual({
      kind: "accepted",
      providerMessageIds: ["SMok"],
    });
    for (const hostile of ['{"messages":"all"}', '{"messages":{"length":1}}', "[]", "{"]) {
      body = hostile;
      expect(await provider.lookup?.({ ...request, since })).toMatchObject({ kind: "unavailable" });
    }
  });
});
