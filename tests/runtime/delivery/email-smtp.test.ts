import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { createProviders } from "../../../server/delivery/providers/index.ts";
import { webhookSignatureHeader } from "../../../server/delivery/signatures.ts";
import type { ProviderSet } from "../../../server/delivery/types.ts";
import { type DeliveryWorker, startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { IPHONE, JOURNEY, OPEN_BRANCH, START, startSmtp } from "./email-fixtures.ts";

/**
 * Issue 19, email: a published journey's email goes through nodemailer to a real SMTP server
 * (smtp-server, started here) and is read back with mailparser, headers and both bodies; the
 * one-click unsubscribe round trip; the open pixel (machine opens filtered) and the engagement
 * branch it feeds; a 4xx retried and delivered once; a 5xx failed; the bounce and complaint
 * webhook.
 */

describe.each(databaseKinds)("email over SMTP on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let providers: ProviderSet;
  let worker: DeliveryWorker;
  const clock = manualClock(START);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    smtp = await startSmtp();
    const env = {
      WAYMARK_SMTP_URL: smtp.url,
      WAYMARK_EMAIL_FROM: "Shop <news@shop.example>",
      WAYMARK_EMAIL_WEBHOOK_SECRET: HOOK_SECRET,
    };
    app = await startTestApp(db, clock, env);
    providers = createProviders(loadDeliveryConfig(env), silent, {
      crypto: app.crypto,
      linkBase: app.url,
    });
    worker = startDeliveryWorker({
      knex: db.knex,
      crypto: app.crypto,
      providers,
      log: silent,
      workerId: "email-test",
      autoStart: false,
      now: clock.now,
      retryBaseMs: 1000,
    });
    await createJourney(db.knex, JOURNEY, null);
    await publishJourney(db.knex, "email-cart", null, clock.now());
    await createJourney(db.knex, OPEN_BRANCH, null);
    await publishJourney(db.knex, "email-open", null, clock.now());
  });
  afterAll(async () => {
    await worker?.stop();
    providers?.email?.close?.();
    await app?.close();
    await smtp?.close();
    await db?.close();
  });

  /** A contact who consented to promotional email, entered into the journey, and ticked. */
  async function enter(userId: string) {
    const id = await app.ingest("/v1/identify", {
      userId,
      traits: { firstName: "Ann", email: `${userId}@inbox.example`, timezone: "UTC" },
      consent: { email: { promotional: true } },
    });
    expect(id.status).toBe(200);
    expect((await app.ingest("/v1/track", { userId, event: "cart_abandoned" })).status).toBe(200);
    await app.tick();
    return messageOf(userId, "e1");
  }

  async function messageOf(userId: string, node: string) {
    return (await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where({ "c.external_id": userId, "m.node_id": node })
      .first(
        "m.id",
        "m.status",
        "m.attempts",
        "m.provider",
        "m.provider_key",
        "m.provider_message_id",
        "m.last_error",
        "m.opened_at",
        "m.payload",
      )) as
      | {
          id: number;
          status: string;
          attempts: number;
          provider: string | null;
          provider_key: string;
          provider_message_id: string | null;
          last_error: string | null;
          opened_at: Date | null;
          payload: Record<string, unknown> | null;
        }
      | undefined;
  }

  const received = (userId: string) =>
    smtp.accepted.filter(
      (m) => m.to && !Array.isArray(m.to) && m.to.text === `${userId}@inbox.example`,
    );

  it("sends a published journey's email: subject, from, reply-to, html and text, bulk-sender headers, Message-ID from the provider key", async () => {
    const queued = await enter("ann");
    expect(queued?.status).toBe("queued");
    expect(queued?.payload).toMatchObject({
      subject: "Ann, you left something",
      replyTo: "help@shop.example",
    });
    await worker.drainOnce();
    const [mail, ...more] = received("ann");
    expect(more).toEqual([]);
    if (!mail) throw new Error("no email arrived");
    const row = await messageOf("ann", "e1");
    expect(row).toMatchObject({ status: "sent", provider: "smtp", attempts: 1 });
    expect(mail.subject).toBe("Ann, you left something");
    expect(mail.from?.text).toBe('"Shop" <news@shop.example>');
    expect(mail.replyTo?.text).toBe("help@shop.example");
    expect(mail.messageId).toBe(`<${row?.provider_key}@shop.example>`);
    expect(row?.provider_message_id).toBe(mail.messageId);
    // One token per link the email carries (text and HTML), none minted for nothing.
    const tokens = await db
      .knex("link_tokens")
      .where({ message_id: row?.id })
      .select("token", "url");
    expect(tokens.map((t) => t.url)).toEqual([
      "https://shop.example/cart",
      "https://shop.example/cart",
    ]);
    for (const t of tokens) expect(`${mail.text}${mail.html}`).toContain(`/l/${t.token}`);
    const unsubscribe = `${app.url}/u/`;
    // The raw header lines: mailparser folds List-* headers into one `list` object.
    const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line ?? "";
    expect(line("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    const header = line("list-unsubscribe");
    expect(header).toMatch(/^List-Unsubscribe: <[^>]+>$/);
    const url = /<([^>]+)>/.exec(header)?.[1] ?? "";
    expect(url.startsWith(unsubscribe)).toBe(true);
    // Text: the body with its tracked link, then the visible unsubscribe line.
    expect(mail.text).toMatch(
      new RegExp(`^Hi Ann, your cart: ${app.url}/l/[A-Za-z0-9_-]{22}\\n\\n--\\nUnsubscribe: `),
    );
    expect(mail.text).toContain(url);
    // HTML: preheader first (hidden), the tracked link, the unsubscribe link, the pixel last.
    const html = String(mail.html);
    expect(html).toMatch(
      /<body><div style="display:none[^"]*">10% off until midnight<\/div><p>Hi Ann<\/p>/,
    );
    expect(html).toMatch(new RegExp(`<a href="${app.url}/l/[A-Za-z0-9_-]{22}">Your cart</a>`));
    expect(html).toContain(`<a href="${url}">Unsubscribe</a>`);
    expect(html).toMatch(
      new RegExp(`<img src="${app.url}/o/[0-9a-z]+\\.[A-Za-z0-9_-]{22}\\.gif"[^>]*></body>`),
    );
  });

  it("counts a person's open of the pixel once, not Apple's prefetch or a scanner", async () => {
    const [mail] = received("ann");
    const pixel = /<img src="([^"]+)"/.exec(String(mail?.html))?.[1] ?? "";
    const fetchPixel = (ua: string) => fetch(pixel, { headers: { "user-agent": ua } });
    for (const ua of [
      "Mozilla/5.0",
      "curl/8.5.0",
      "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
    ]) {
      const res = await fetchPixel(ua);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
    }
    expect((await messageOf("ann", "e1"))?.opened_at).toBeNull();
    expect((await fetchPixel(IPHONE)).status).toBe(200);
    expect((await fetchPixel(IPHONE)).status).toBe(200);
    expect((await messageOf("ann", "e1"))?.opened_at).toBeInstanceOf(Date);
    const opened = await db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": "ann", "e.name": "message.opened" })
      .select("e.message_id");
    expect(opened).toHaveLength(1);
    // A forged or altered token is still a picture, and records nothing.
    expect(
      (
        await fetch(pixel.replace(/\.[A-Za-z0-9_-]{22}\.gif$/, `.${"A".repeat(22)}.gif`), {
          headers: { "user-agent": IPHONE },
        })
      ).status,
    ).toBe(200);
  });

  it("one-click unsubscribe (RFC 8058) opts the contact out of promotional email at once; the next one is suppressed", async () => {
    const [mail] = received("ann");
    const header = mail?.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "";
    const url = /<([^>]+)>/.exec(header)?.[1] ?? "";
    // GET is a confirm page only: scanners follow links.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Unsubscribe a***@inbox.example from promotional email?");
    expect(await db.knex("suppressions")).toEqual([]);
    // What Gmail's button sends.
    const post = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    const row = await messageOf("ann", "e1");
    const suppressions = await db
      .knex("suppressions")
      .select("channel", "category", "reason", "source", "detail");
    expect(suppressions).toEqual([
      {
        channel: "email",
        category: "promotional",
        reason: "unsubscribe_link",
        source: `email:unsubscribe:${row?.id}`,
        detail: "one-click (RFC 8058)",
      },
    ]);
    expect(await (await fetch(url)).text()).toContain("is unsubscribed from promotional email");
    // Another message's token, or a made-up one, opts out nobody.
    const forged = url.replace(/\.[A-Za-z0-9_-]{22}$/, `.${"B".repeat(22)}`);
    expect((await fetch(forged, { method: "POST" })).status).toBe(404);

    clock.advance(3_600_000);
    await app.tick();
    expect(await messageOf("ann", "e2")).toBeUndefined();
    const suppressed = await db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": "ann", "l.type": "suppressed" })
      .select("l.node_id", "l.reason", "l.detail");
    expect(suppressed).toEqual([expect.objectContaining({ node_id: "e2", reason: "opted_out" })]);
    expect(suppressed[0]?.detail).toContain(
      `opted out of email/promotional via email:unsubscribe:${row?.id}`,
    );
  });

  it("a 4xx reply is retried and the email then delivered once, with the same Message-ID", async () => {
    smtp.plan.push(451);
    const queued = await enter("bob");
    await worker.drainOnce();
    const first = await messageOf("bob", "e1");
    expect(first).toMatchObject({ status: "queued", attempts: 1 });
    expect(first?.last_error).toMatch(/451/);
    expect(received("bob")).toEqual([]);
    expect(smtp.refused).toEqual([`<${queued?.provider_key}@shop.example>`]);
    clock.advance(60_000);
    await worker.drainOnce();
    await worker.drainOnce();
    expect(await messageOf("bob", "e1")).toMatchObject({ status: "sent", attempts: 2 });
    expect(received("bob").map((m) => m.messageId)).toEqual([
      `<${queued?.provider_key}@shop.example>`,
    ]);
  });

  it("a 5xx reply fails the message for good, recorded with the reply", async () => {
    smtp.plan.push(550);
    await enter("cy");
    await worker.drainOnce();
    clock.advance(3_600_000);
    await worker.drainOnce();
    const row = await messageOf("cy", "e1");
    expect(row).toMatchObject({ status: "failed", attempts: 1, provider: "smtp" });
    expect(row?.last_error).toMatch(/550/);
    expect(received("cy")).toEqual([]);
    const failed = await db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": "cy", "e.name": "message.failed" });
    expect(failed).toHaveLength(1);
  });

  it("a person's open feeds the engagement branch: opened → yes", async () => {
    const userId = "fay";
    await app.ingest("/v1/identify", {
      userId,
      traits: { email: `${userId}@inbox.example`, timezone: "UTC" },
    });
    await app.ingest("/v1/track", { userId, event: "browse_abandoned" });
    await app.tick();
    await worker.drainOnce();
    const [mail] = received(userId);
    const pixel = /<img src="([^"]+)"/.exec(String(mail?.html))?.[1] ?? "";
    expect((await fetch(pixel, { headers: { "user-agent": IPHONE } })).status).toBe(200);
    clock.advance(1000);
    await app.tick();
    const branched = await db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": userId, "l.type": "branched" })
      .select("l.node_id", "l.data");
    expect(branched).toEqual([expect.objectContaining({ node_id: "opened" })]);
    const exited = await db
      .knex("enrollments as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": userId, "e.journey_id": "email-open" })
      .first("e.status", "e.current_node");
    expect(exited).toEqual({ status: "completed", current_node: "yes" });
  });

  it("a test send of an email carries its subject and HTML, marked [TEST]", async () => {
    await app.ingest("/v1/identify", {
      userId: "tess",
      traits: { firstName: "Tess", email: "tess@inbox.example" },
    });
    const res = await fetch(`${app.url}/api/journeys/email-cart/test-send`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ nodeId: "e1", contactId: "tess" }),
    });
    expect(res.status).toBe(201);
    await worker.drainOnce();
    const [mail, ...more] = received("tess");
    expect(more).toEqual([]);
    expect(mail?.subject).toBe("[TEST] Tess, you left something");
    expect(mail?.text).toMatch(/^\[TEST\] Hi Tess, your cart: /);
    expect(String(mail?.html)).toContain("<p>Hi Tess</p>");
  });

  it("bounce and complaint webhook: signed; a hard bounce fails the message and suppresses the address, a soft one only fails it", async () => {
    const hook = (payload: unknown, secret = HOOK_SECRET) => {
      const body = JSON.stringify(payload);
      const t = Math.floor(clock.now().getTime() / 1000);
      return fetch(`${app.url}/v1/email/events`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-waymark-signature": webhookSignatureHeader(secret, body, t),
        },
        body,
      });
    };
    await enter("dee");
    await enter("eve");
    await worker.drainOnce();
    const dee = await messageOf("dee", "e1");
    const eve = await messageOf("eve", "e1");
    expect(dee?.status).toBe("sent");

    const bad = await hook(
      { type: "bounce", bounce: "hard", messageId: dee?.provider_message_id },
      "wrong-secret-0123456789",
    );
    expect(bad.status).toBe(401);
    const malformed = await hook({
      type: "bounce",
      bounce: "maybe",
      messageId: dee?.provider_message_id,
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(await malformed.json())).toContain("bounce");
    expect((await hook({ type: "complaint", messageId: "<nope@shop.example>" })).status).toBe(404);

    // Soft: failed, no suppression.
    expect(
      (await hook({ type: "bounce", bounce: "soft", messageId: eve?.provider_message_id })).status,
    ).toBe(204);
    expect(await messageOf("eve", "e1")).toMatchObject({
      status: "failed",
      last_error: "bounced (soft)",
    });
    // Hard: failed, and the address suppressed for all email, once however often it is told.
    const hard = {
      type: "bounce",
      bounce: "hard",
      messageId: dee?.provider_message_id,
      detail: "550 5.1.1 no such user",
    };
    expect((await hook(hard)).status).toBe(204);
    expect((await hook(hard)).status).toBe(204);
    expect(await messageOf("dee", "e1")).toMatchObject({
      status: "failed",
      last_error: "bounced (hard): 550 5.1.1 no such user",
    });
    const rows = await db
      .knex("suppressions as s")
      .join("contacts as c", "c.id", "s.contact_id")
      .whereIn("c.external_id", ["dee", "eve"])
      .select("c.external_id", "s.channel", "s.category", "s.reason", "s.source");
    expect(rows).toEqual([
      {
        external_id: "dee",
        channel: "email",
        category: "*",
        reason: "provider",
        source: `email:bounce:${dee?.provider_message_id}`,
      },
    ]);
    const failed = await db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": "dee", "e.name": "message.failed" })
      .select("e.properties");
    expect(failed).toHaveLength(1);
    // A complaint suppresses too.
    expect((await hook({ type: "complaint", messageId: eve?.provider_message_id })).status).toBe(
      204,
    );
    expect(
      await db
        .knex("suppressions as s")
        .join("contacts as c", "c.id", "s.contact_id")
        .where({ "c.external_id": "eve" })
        .select("s.source"),
    ).toEqual([{ source: `email:complaint:${eve?.provider_message_id}` }]);
  });
});

const HOOK_SECRET = "bounce-secret-0123456789";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
