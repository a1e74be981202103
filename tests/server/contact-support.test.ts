import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../server/auth/passwords.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

/**
 * Issue #16, "support acts, not only reads": a support operator's opt-out through the API
 * suppresses the contact's very next send (reason opted_out), an opt-in with a reason lets the
 * next one through, consent edits land where the ticker reads them, and each act is audited and
 * shown on the contact's timeline.
 */
describe.each(databaseKinds)("support acting on a contact, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T12:00:00Z");
  let support: Record<string, string>;
  let engineer: Record<string, string>;
  let admin: Record<string, string>;
  const call = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    app.call(method, path, body, headers);
  const bearer = (key: string) => ({
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
  });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    admin = bearer(app.secretKey);
    const [op] = (await db
      .knex("operators")
      .insert({
        email: "sam@example.com",
        role: "support",
        password_hash: await hashPassword("x-x-x-x-x"),
      })
      .returning("id")) as { id: number }[];
    support = bearer((await createApiKey(db.knex, "secret", "sam", op?.id ?? null, "support")).key);
    const [eng] = (await db
      .knex("operators")
      .insert({ email: "eng@example.com", role: "engineer", password_hash: "-" })
      .returning("id")) as { id: number }[];
    engineer = bearer(
      (await createApiKey(db.knex, "secret", "eng", eng?.id ?? null, "engineer")).key,
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /** The first journey's log row of one send, as the ticker wrote it. */
  async function stepOf(nodeId: string) {
    return (await db
      .knex("enrollment_log")
      .where({ journey_id: "cart", node_id: nodeId })
      .whereIn("type", ["sent", "suppressed"])
      .first("type", "reason", "detail")) as
      | { type: string; reason: string | null; detail: string }
      | undefined;
  }

  it("an opt-out suppresses the next send; an opt-in with a reason lets the next through", async () => {
    expect((await call("POST", "/api/journeys", cartReminder("cart"), admin)).status).toBe(201);
    expect((await call("POST", "/api/journeys/cart/publish", {}, admin)).status).toBe(200);
    await app.ingest("/v1/identify", {
      userId: "ada",
      traits: { firstName: "Ada", phone: "+12025550123" },
      consent: { sms: { promotional: true } },
    });
    await app.ingest("/v1/track", { userId: "ada", event: "cart_abandoned" });
    await app.tick();

    // Engineers read, they do not act on customers; hostile bodies are 400s naming the field.
    const refused = await call("POST", "/api/contacts/ada/opt-out", { channel: "sms" }, engineer);
    expect(refused.status).toBe(403);
    const bad = await call("POST", "/api/contacts/ada/opt-out", { channel: "fax" }, support);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("channel");
    const unknown = await call("POST", "/api/contacts/nobody/opt-out", { channel: "sms" }, support);
    expect(unknown.status).toBe(404);

    const out = await call(
      "POST",
      "/api/contacts/ada/opt-out",
      { channel: "sms", category: "promotional", reason: "asked on the phone" },
      support,
    );
    expect(out.status).toBe(201);
    clock.advance(3_600_000);
    await app.tick();
    const first = await stepOf("sms1");
    expect(first).toMatchObject({ type: "suppressed", reason: "opted_out" });
    expect(first?.detail).toContain("operator:sam");

    // Back in: the reason is required.
    const noReason = await call(
      "POST",
      "/api/contacts/ada/opt-in",
      { channel: "sms", category: "promotional" },
      support,
    );
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toContain("reason");
    const back = await call(
      "POST",
      "/api/contacts/ada/opt-in",
      { channel: "sms", category: "promotional", reason: "called back, wants offers again" },
      support,
    );
    expect(back.status).toBe(200);
    expect(back.body.revoked).toBe(1);
    // A suppressed send cannot be clicked, so that enrollment went on to sms2 (suppressed too)
    // in the same step; the next send is a second journey's.
    expect((await call("POST", "/api/journeys", cartReminder("cart2"), admin)).status).toBe(201);
    expect((await call("POST", "/api/journeys/cart2/publish", {}, admin)).status).toBe(200);
    await app.ingest("/v1/track", { userId: "ada", event: "cart_abandoned" });
    await app.tick();
    clock.advance(3_600_000);
    await app.tick();
    const next = (await db
      .knex("enrollment_log")
      .where({ journey_id: "cart2", node_id: "sms1" })
      .whereIn("type", ["sent", "suppressed"])
      .select("type", "reason")) as { type: string; reason: string | null }[];
    expect(next).toEqual([{ type: "sent", reason: null }]);
    const sent = (await db.knex("messages").where({ journey_id: "cart2" }).select("body")) as {
      body: string;
    }[];
    expect(sent.map((m) => m.body.slice(0, 8))).toEqual(["Hi Ada, "]);

    // Who, when, why: in the audit log, and on the contact's timeline.
    const rows = (await db
      .knex("audit_log")
      .where({ subject_type: "contact" })
      .orderBy("id")
      .select("action", "actor_name", "actor_role", "details")) as {
      action: string;
      actor_name: string;
      actor_role: string;
      details: Record<string, unknown>;
    }[];
    expect(rows.map((r) => [r.action, r.actor_name, r.actor_role])).toEqual([
      ["contact.opt_out", "sam", "support"],
      ["contact.opt_in", "sam", "support"],
    ]);
    expect(rows[0]?.details).toMatchObject({ channel: "sms", reason: "asked on the phone" });
    expect(rows[1]?.details).toMatchObject({ reason: "called back, wants offers again" });
    const journeys = await call("GET", "/api/contacts/ada/journeys", undefined, support);
    const acts = journeys.body.support as { action: string; by: string }[];
    expect(acts.map((a) => a.action)).toEqual(["contact.opt_in", "contact.opt_out"]);
  });

  it("an opt-in of one category after a STOP lifts it for that category only", async () => {
    await app.ingest("/v1/identify", { userId: "bo", traits: { phone: "+12025550124" } });
    const id = Number(
      ((await db.knex("contacts").where({ external_id: "bo" }).first("id")) as { id: string }).id,
    );
    // What an inbound STOP writes: every category of SMS.
    await db.knex("suppressions").insert({
      contact_id: id,
      channel: "sms",
      category: "*",
      reason: "keyword",
      source: "sms:inbound:SM1",
    });
    const back = await call(
      "POST",
      `/api/contacts/${id}/opt-in`,
      { channel: "sms", category: "transactional", reason: "order updates only" },
      support,
    );
    expect(back.status).toBe(200);
    const contact = await call("GET", "/api/contacts/bo", undefined, support);
    const consent = (contact.body.contact as { consent: Record<string, Record<string, unknown>> })
      .consent;
    expect(consent.sms?.transactional).toMatchObject({ granted: true, source: "operator:sam" });
    expect(consent.sms?.promotional).toBeUndefined();
    // The STOP itself stays, for the other categories.
    const active = (contact.body.suppressions as { revokedAt: string | null }[]).filter(
      (s) => s.revokedAt === null,
    );
    expect(active).toHaveLength(1);
  });

  it("consent is edited per channel and category, with a reason, audited with what it replaced", async () => {
    const missing = await call(
      "PUT",
      "/api/contacts/bo/consent",
      { channel: "email", category: "promotional", granted: true },
      support,
    );
    expect(missing.status).toBe(400);
    const put = await call(
      "PUT",
      "/api/contacts/bo/consent",
      { channel: "email", category: "promotional", granted: true, reason: "signed up in store" },
      support,
    );
    expect(put.status).toBe(200);
    const withdraw = await call(
      "PUT",
      "/api/contacts/bo/consent",
      { channel: "email", category: "promotional", granted: false, reason: "asked by email" },
      support,
    );
    expect(withdraw.status).toBe(200);
    const contact = await call("GET", "/api/contacts/bo", undefined, support);
    const consent = (contact.body.contact as { consent: Record<string, Record<string, unknown>> })
      .consent;
    expect(consent.email?.promotional).toMatchObject({ granted: false, source: "operator:sam" });
    // The other channel's records are untouched.
    expect(consent.sms?.transactional).toMatchObject({ granted: true });
    const last = (await db
      .knex("audit_log")
      .where({ action: "contact.consent" })
      .orderBy("id", "desc")
      .first("details")) as { details: { before: { granted: boolean }; reason: string } };
    expect(last.details.before.granted).toBe(true);
    expect(last.details.reason).toBe("asked by email");
  });
});
