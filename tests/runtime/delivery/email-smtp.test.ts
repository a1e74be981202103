import { describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.ts";
import { emailHarness } from "./email-harness.ts";

/**
 * Issue 19, email: a published journey's email goes through nodemailer to a real SMTP server
 * (smtp-server, started here) and is read back with mailparser, headers and both bodies; a 4xx
 * retried and delivered once; a 5xx failed; a test send. Opens: email-engagement.test.ts;
 * unsubscribes: email-unsubscribe.test.ts; bounces: email-bounces.test.ts.
 */

describe.each(databaseKinds)("email over SMTP on %s", (kind) => {
  const h = emailHarness(kind);
  const { clock, enter, messageOf, received } = h;

  it("sends a published journey's email: subject, from, reply-to, html and text, bulk-sender headers, Message-ID from the provider key", async () => {
    const queued = await enter("ann");
    expect(queued?.status).toBe("queued");
    expect(queued?.payload).toMatchObject({
      subject: "Ann, you left something",
      replyTo: "help@shop.example",
    });
    await h.worker.drainOnce();
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
    const tokens = await h.db
      .knex("link_tokens")
      .where({ message_id: row?.id })
      .select("token", "url");
    expect(tokens.map((t) => t.url)).toEqual([
      "https://shop.example/cart",
      "https://shop.example/cart",
    ]);
    for (const t of tokens) expect(`${mail.text}${mail.html}`).toContain(`/l/${t.token}`);
    const unsubscribe = `${h.app.url}/u/`;
    // The raw header lines: mailparser folds List-* headers into one `list` object.
    const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line ?? "";
    expect(line("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    const header = line("list-unsubscribe");
    expect(header).toMatch(/^List-Unsubscribe: <[^>]+>$/);
    const url = /<([^>]+)>/.exec(header)?.[1] ?? "";
    expect(url.startsWith(unsubscribe)).toBe(true);
    // Text: the body with its tracked link, then the visible unsubscribe line.
    expect(mail.text).toMatch(
      new RegExp(`^Hi Ann, your cart: ${h.app.url}/l/[A-Za-z0-9_-]{22}\\n\\n--\\nUnsubscribe: `),
    );
    expect(mail.text).toContain(url);
    // HTML: preheader first (hidden), the tracked link, the unsubscribe link, the pixel last.
    const html = String(mail.html);
    expect(html).toMatch(
      /<body><div style="display:none[^"]*">10% off until midnight<\/div><p>Hi Ann<\/p>/,
    );
    expect(html).toMatch(new RegExp(`<a href="${h.app.url}/l/[A-Za-z0-9_-]{22}">Your cart</a>`));
    expect(html).toContain(`<a href="${url}">Unsubscribe</a>`);
    expect(html).toMatch(
      new RegExp(`<img src="${h.app.url}/o/[0-9a-z]+\\.[A-Za-z0-9_-]{22}\\.gif"[^>]*></body>`),
    );
  });

  it("a 4xx reply is retried and the email then delivered once, with the same Message-ID", async () => {
    h.smtp.plan.push(451);
    const queued = await enter("bob");
    await h.worker.drainOnce();
    const first = await messageOf("bob", "e1");
    expect(first).toMatchObject({ status: "queued", attempts: 1 });
    expect(first?.last_error).toMatch(/451/);
    expect(received("bob")).toEqual([]);
    expect(h.smtp.refused).toEqual([`<${queued?.provider_key}@shop.example>`]);
    clock.advance(60_000);
    await h.worker.drainOnce();
    await h.worker.drainOnce();
    expect(await messageOf("bob", "e1")).toMatchObject({ status: "sent", attempts: 2 });
    expect(received("bob").map((m) => m.messageId)).toEqual([
      `<${queued?.provider_key}@shop.example>`,
    ]);
  });

  it("a 5xx reply fails the message for good, recorded with the reply", async () => {
    h.smtp.plan.push(550);
    await enter("cy");
    await h.worker.drainOnce();
    clock.advance(3_600_000);
    await h.worker.drainOnce();
    const row = await messageOf("cy", "e1");
    expect(row).toMatchObject({ status: "failed", attempts: 1, provider: "smtp" });
    expect(row?.last_error).toMatch(/550/);
    expect(received("cy")).toEqual([]);
    const failed = await h.db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": "cy", "e.name": "message.failed" });
    expect(failed).toHaveLength(1);
  });

  it("a test send of an email carries its subject and HTML, marked [TEST]", async () => {
    await h.app.ingest("/v1/identify", {
      userId: "tess",
      traits: { firstName: "Tess", email: "tess@inbox.example" },
    });
    const res = await fetch(`${h.app.url}/api/journeys/email-cart/test-send`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ nodeId: "e1", contactId: "tess" }),
    });
    expect(res.status).toBe(201);
    await h.worker.drainOnce();
    const [mail, ...more] = received("tess");
    expect(more).toEqual([]);
    expect(mail?.subject).toBe("[TEST] Tess, you left something");
    expect(mail?.text).toMatch(/^\[TEST\] Hi Tess, your cart: /);
    expect(String(mail?.html)).toContain("<p>Hi Tess</p>");
  });
});
