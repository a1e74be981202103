import type { Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFresh } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { DomainError } from "../../server/domain-error.ts";
import { createJourney, publishJourney, saveDraft } from "../../server/journeys/store.ts";
import { loadAudienceMemberships } from "../../server/runtime/sql/audience-membership.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

// 2026-03-02 10:00 in Shanghai: inside the 08:00–21:00 sending window.
const START = "2026-03-02T02:00:00Z";

/** trigger `vip_check` → condition branch on `audience` → yes: "gold" SMS, no: "standard" SMS. */
function audienceBranch(id: string, audience: string) {
  const send = (nodeId: string, template: string) => ({
    id: nodeId,
    type: "send",
    send: { channel: "sms", category: "promotional", template },
  });
  return {
    format: "waymark/journey@1",
    id,
    name: `Audience branch ${id}`,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: "vip_check" } },
      { id: "is_gold", type: "branch", branch: { kind: "condition", conditions: [], audience } },
      send("gold", "Hi {{ user.firstName }}, your gold perks are here"),
      send("standard", "Hi {{ user.firstName }}, go gold for perks"),
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "is_gold" },
      { from: "is_gold", to: "gold", path: "yes" },
      { from: "is_gold", to: "standard", path: "no" },
      { from: "gold", to: "done" },
      { from: "standard", to: "done" },
    ],
  };
}

describe.each(databaseKinds)("condition branch on an audience, ticker on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(START);

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const identify = (userId: string, tier: string) =>
    app.ingest("/v1/identify", {
      userId,
      traits: { firstName: userId, phone: "+8613812345678", timezone: "Asia/Shanghai", tier },
      consent: { sms: { promotional: true } },
    });

  const messagesOf = async (userId: string) =>
    (await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("c.external_id", userId)
      .orderBy("m.id")
      .select("m.node_id", "m.body")) as { node_id: string; body: string }[];

  const branchedOf = async (userId: string) =>
    (await db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": userId, "l.type": "branched" })
      .select("l.node_id", "l.detail", "l.data")) as {
      node_id: string;
      detail: string;
      data: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("refuses to publish a branch on an audience that does not exist (audience_unknown)", async () => {
    await createJourney(db.knex, audienceBranch("vip-missing", "no-such-audience"), null);
    const err = await publishJourney(db.knex, "vip-missing", null, clock.now()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("unprocessable");
    expect((err as DomainError).details).toEqual([
      {
        code: "audience_unknown",
        severity: "error",
        message:
          'condition branch "is_gold" reads audience "no-such-audience", which does not exist',
        nodeId: "is_gold",
        path: ["nodes", 1, "branch", "audience"],
        // What the console's sentence fills in (issue #20: issues carry their specifics).
        params: { audience: "no-such-audience" },
      },
    ]);
    expect(
      await db.knex("journey_versions").where({ journey_id: "vip-missing", is_draft: false }),
    ).toHaveLength(0);
  });

  it("sends members and non-members down their own paths, and the log says why", async () => {
    const created = await api("POST", "/api/audiences", {
      name: "Gold tier",
      definition: { attribute: "tier", op: "eq", value: "gold" },
    });
    expect(created.status).toBe(201);
    const audienceId = (created.body.audience as { id: string }).id;
    expect(audienceId).toBe("gold-tier");

    // The draft from the refused publish, pointed at the audience that now exists.
    await saveDraft(db.knex, "vip-missing", audienceBranch("vip-missing", audienceId));
    const published = await publishJourney(db.knex, "vip-missing", null, clock.now());
    expect(published.issues).toEqual([]);

    expect((await identify("ann", "gold")).status).toBe(200);
    expect((await identify("bob", "silver")).status).toBe(200);
    for (const userId of ["ann", "bob"]) {
      const r = await app.ingest("/v1/track", { userId, event: "vip_check", messageId: userId });
      expect(r.status).toBe(200);
    }

    const batch = await app.tick();
    expect(batch.claimed).toBe(2);
    expect(batch.messages).toBe(2);

    expect(await messagesOf("ann")).toEqual([
      { node_id: "gold", body: expect.stringMatching(/^Hi ann, your gold perks are here/) },
    ]);
    expect(await messagesOf("bob")).toEqual([
      { node_id: "standard", body: expect.stringMatching(/^Hi bob, go gold for perks/) },
    ]);
    expect(await branchedOf("ann")).toMatchObject([
      { node_id: "is_gold", detail: 'in audience "gold-tier"' },
    ]);
    expect(await branchedOf("bob")).toMatchObject([
      { node_id: "is_gold", detail: 'not in audience "gold-tier"' },
    ]);
  });

  it("membership is evaluated live at the tick, not from the scanner's table", async () => {
    // bob upgrades after the audience was created: no refresh ran, the branch still sees it.
    await identify("bob", "gold");
    const ids = (await db
      .knex("contacts")
      .whereIn("external_id", ["ann", "bob"])
      .orderBy("external_id")
      .pluck("id")) as (string | number)[];
    const contactIds = ids.map(Number);
    const versions = new Map([
      [1, compileFresh({ versionId: "1", journey: audienceBranch("x", "gold-tier") as Journey })],
      [2, compileFresh({ versionId: "2", journey: cartReminder() as Journey })],
    ]);
    const got = await db.knex.transaction((trx) =>
      loadAudienceMemberships(trx, versions, contactIds, clock.now()),
    );
    expect(got).toEqual(
      new Map([
        [contactIds[0], ["gold-tier"]],
        [contactIds[1], ["gold-tier"]],
      ]),
    );
  });
  it("simulates a real contact with the audiences it is in now", async () => {
    expect((await identify("cy", "silver")).status).toBe(200);
    const branchOf = async (contactId: string) => {
      const res = await api("POST", "/api/simulate", {
        journeyId: "vip-missing",
        contactId,
        events: [{ name: "vip_check", at: clock.now().getTime() }],
      });
      expect(res.status).toBe(200);
      const timeline = res.body.timeline as { type: string; detail: string }[];
      return timeline.find((e) => e.type === "branched")?.detail;
    };
    expect(await branchOf("ann")).toBe('in audience "gold-tier"');
    expect(await branchOf("cy")).toBe('not in audience "gold-tier"');
  });
});

describe("loadAudienceMemberships without audience branches", () => {
  it("runs no query at all (the ticker's hot path)", async () => {
    const versions = new Map([
      [1, compileFresh({ versionId: "1", journey: cartReminder() as Journey })],
    ]);
    // Any use of the transaction would throw: it is not a function and has no methods.
    const trx = {} as Knex.Transaction;
    expect(await loadAudienceMemberships(trx, versions, [1, 2, 3], new Date())).toEqual(new Map());
  });
});
