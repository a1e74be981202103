import { type AddressInfo, createServer } from "node:net";
import { SMTPServer } from "smtp-server";
import { describe, expect, it } from "vitest";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { createSmtpProvider } from "../../../server/delivery/providers/index.ts";
import { fieldCrypto } from "../../../server/privacy/keys.ts";

/** Issue 19: what an SMTP failure without a reply means, and the email settings' checks. */

describe("SMTP outcomes without a reply", () => {
  const crypto = fieldCrypto("e".repeat(32));
  const request = {
    idempotencyKey: "9b1f6a2e-3c1d-4b8e-9f0a-1c2d3e4f5a6b",
    to: "ann@inbox.example",
    body: "Hi",
    channel: "email" as const,
    category: "transactional",
    email: { subject: "Hi", html: null, preheader: null, from: null, replyTo: null },
    messageId: 7,
  };
  const provider = (url: string, timeoutMs = 10_000) =>
    createSmtpProvider({
      config: { smtpUrl: url, from: "news@shop.example", ratePerSecond: null },
      crypto,
      linkBase: "https://wm.example",
      timeoutMs,
      maxConnections: 1,
    });

  it("no server listening: retried (nothing can have been taken)", async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, "127.0.0.1", ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const p = provider(`smtp://127.0.0.1:${port}`);
    const result = await p.send(request);
    p.close();
    expect(result.kind).toBe("retry");
  });

  it("a server that takes the message and never answers: outcome unknown (it may have been delivered)", async () => {
    const sockets: { destroy(): void }[] = [];
    const hanging = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream) {
        stream.resume(); // reads it all, never answers
      },
    });
    hanging.server.on("connection", (s: { destroy(): void }) => sockets.push(s));
    await new Promise<void>((ok) => hanging.listen(0, "127.0.0.1", ok));
    const port = (hanging.server.address() as AddressInfo).port;
    const p = provider(`smtp://127.0.0.1:${port}`, 500);
    const result = await p.send(request);
    p.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((ok) => hanging.close(() => ok()));
    expect(result.kind).toBe("unknown");
  });
});

describe("email settings", () => {
  it("need a sender, an smtp(s) URL (never echoed: it holds the password) and a long webhook secret", () => {
    const url = "smtps://user:s3cret-pass@mail.example:465";
    expect(() => loadDeliveryConfig({ WAYMARK_SMTP_URL: url })).toThrow(/WAYMARK_EMAIL_FROM/);
    const bad = () =>
      loadDeliveryConfig({
        WAYMARK_SMTP_URL: "https://user:s3cret-pass@mail.example",
        WAYMARK_EMAIL_FROM: "news@shop.example",
      });
    expect(bad).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(bad).not.toThrow(/s3cret/);
    expect(() =>
      loadDeliveryConfig({ WAYMARK_SMTP_URL: url, WAYMARK_EMAIL_FROM: "news@shop" }),
    ).toThrow(/WAYMARK_EMAIL_FROM/);
    expect(() => loadDeliveryConfig({ WAYMARK_EMAIL_WEBHOOK_SECRET: "short" })).toThrow(/16/);
    const ok = loadDeliveryConfig({
      WAYMARK_SMTP_URL: url,
      WAYMARK_EMAIL_FROM: "Shop <news@shop.example>",
      WAYMARK_EMAIL_RATE_LIMIT: "5",
    });
    expect(ok.email).toEqual({ smtpUrl: url, from: "Shop <news@shop.example>", ratePerSecond: 5 });
    expect(loadDeliveryConfig({}).email).toBeNull();
  });
});
