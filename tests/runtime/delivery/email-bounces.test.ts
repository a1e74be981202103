import { describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.ts";
import { emailHarness } from "./email-harness.ts";

/**
 * Issue 19, the bounce and complaint webhook (POST /v1/email/events): signed; a bounce fails
 * the message, a hard bounce or a complaint suppresses the address.
 */

describe.each(databaseKinds)("email bounces and complaints on %s", (kind) => {
  const h = emailHarness(kind);
  const { enter, messageOf, hook } = h;

  it("bounce and complaint webhook: signed; a hard bounce fails the message and suppresses the address, a soft one only fails it", async () => {
    await enter("dee");
    await enter("eve");
    await h.worker.drainOnce();
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
    const rows = await h.db
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
    const failed = await h.db
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
      await h.db
        .knex("suppressions as s")
        .join("contacts as c", "c.id", "s.contact_id")
        .where({ "c.external_id": "eve" })
        .select("s.source"),
    ).toEqual([{ source: `email:complaint:${eve?.provider_message_id}` }]);
  });
});
