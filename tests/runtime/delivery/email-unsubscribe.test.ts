import { describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.ts";
import { emailHarness } from "./email-harness.ts";

/**
 * Issue 19, email unsubscribes, with an unsubscribe mailbox configured: the RFC 8058 one-click
 * round trip (unchanged by the mailbox); List-Unsubscribe's exact shape, https first and the
 * operator's mailto: second, both carrying the message's signed token; and the mailed
 * unsubscribe, which reaches the operator's mailbox and is reported through the email webhook.
 */

const MAILBOX = "unsubscribe+news@shop.example";

describe.each(databaseKinds)("email unsubscribes on %s", (kind) => {
  const h = emailHarness(kind, { WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO: MAILBOX });
  const { clock, enter, hook, messageOf, received } = h;

  it("one-click unsubscribe (RFC 8058) opts the contact out of promotional email at once; the next one is suppressed", async () => {
    await enter("ann");
    await h.worker.drainOnce();
    const [mail] = received("ann");
    const header = mail?.headerLines.find((x) => x.key === "list-unsubscribe")?.line ?? "";
    const url = /<([^>]+)>/.exec(header)?.[1] ?? "";
    // GET is a confirm page only: scanners follow links.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Unsubscribe a***@inbox.example from promotional email?");
    expect(await h.db.knex("suppressions")).toEqual([]);
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
    const suppressions = await h.db
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
    await h.app.tick();
    expect(await messageOf("ann", "e2")).toBeUndefined();
    const suppressed = await h.db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": "ann", "l.type": "suppressed" })
      .select("l.node_id", "l.reason", "l.detail");
    expect(suppressed).toEqual([expect.objectContaining({ node_id: "e2", reason: "opted_out" })]);
    expect(suppressed[0]?.detail).toContain(
      `opted out of email/promotional via email:unsubscribe:${row?.id}`,
    );
  });

  it("List-Unsubscribe offers the https one-click URL, then the operator's mailto: with the same token", async () => {
    await enter("max");
    await h.worker.drainOnce();
    const [mail] = received("max");
    const row = await messageOf("max", "e1");
    const line = (key: string) => mail?.headerLines.find((x) => x.key === key)?.line ?? "";
    const token = /\/u\/([^>]+)>/.exec(line("list-unsubscribe"))?.[1] ?? "";
    expect(token).toMatch(new RegExp(`^${row?.id.toString(36)}\\.[A-Za-z0-9_-]{22}$`));
    // Unfolded (RFC 5322 §2.2.3): a header this long is folded onto a second line.
    expect(line("list-unsubscribe").replace(/\r?\n[ \t]+/g, " ")).toBe(
      `List-Unsubscribe: <${h.app.url}/u/${token}>, <mailto:${MAILBOX}?subject=unsubscribe%20${token}>`,
    );
    // RFC 8058 unchanged: the POST goes to the https URL, the one header says one-click.
    expect(line("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    // A transactional email carries no List-Unsubscribe at all.
    await h.app.ingest("/v1/identify", { userId: "max", traits: { email: "max@inbox.example" } });
    await h.app.ingest("/v1/track", { userId: "max", event: "browse_abandoned" });
    await h.app.tick();
    await h.worker.drainOnce();
    const notice = received("max").find((m) => m.subject === "Still looking?");
    expect(notice?.headerLines.map((x) => x.key)).not.toContain("list-unsubscribe");
  });

  it("the mailbox's report of an unsubscribe mail opts the contact out of that category, source recorded", async () => {
    await enter("sam");
    await h.worker.drainOnce();
    const [mail] = received("sam");
    const row = await messageOf("sam", "e1");
    const header = mail?.headerLines.find((x) => x.key === "list-unsubscribe")?.line ?? "";
    const subject = decodeURIComponent(/\?subject=([^>]+)>/.exec(header)?.[1] ?? "");
    expect(subject).toMatch(/^unsubscribe [0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    const token = subject.slice("unsubscribe ".length);

    // Hostile or wrong reports: named field, unsigned, a token we never signed.
    const noToken = await hook({ type: "unsubscribe" });
    expect(noToken.status).toBe(400);
    expect(JSON.stringify(await noToken.json())).toContain("token");
    expect((await hook({ type: "unsubscribe", token }, "wrong-secret-0123456789")).status).toBe(
      401,
    );
    const forged = token.replace(/\.[A-Za-z0-9_-]{22}$/, `.${"C".repeat(22)}`);
    expect((await hook({ type: "unsubscribe", token: forged })).status).toBe(404);
    const sam = () =>
      h.db
        .knex("suppressions as s")
        .join("contacts as c", "c.id", "s.contact_id")
        .where({ "c.external_id": "sam" })
        .select("s.channel", "s.category", "s.reason", "s.source", "s.detail");
    expect(await sam()).toEqual([]);

    expect((await hook({ type: "unsubscribe", token })).status).toBe(204);
    expect((await hook({ type: "unsubscribe", token })).status).toBe(204);
    expect(await sam()).toEqual([
      {
        channel: "email",
        category: "promotional",
        reason: "unsubscribe_link",
        source: `email:unsubscribe-mail:${row?.id}`,
        detail: "unsubscribe mail (List-Unsubscribe mailto:)",
      },
    ]);
    clock.advance(3_600_000);
    await h.app.tick();
    expect(await messageOf("sam", "e2")).toBeUndefined();
  });
});
