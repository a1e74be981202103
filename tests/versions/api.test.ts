import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffJourneys } from "../../engine/diff/diff.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { hashPassword } from "../../server/auth/passwords.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

type Body = Record<string, unknown>;
interface AuditRow {
  id: number;
  action: string;
  actor: { kind: string; id: number | null; name: string; role: string | null };
  subject: { type: string; id: string | null };
  details: Body;
}

/**
 * The versions API end to end over real HTTP: history with publish metadata and per-version
 * counts, the diff of any two documents (the pure module's JSON, served), revert and discard
 * that never touch users, the import that refuses an existing id with 409 and the diff, and an
 * audit entry for every audited action, committed with the change.
 */
describe.each(databaseKinds)("versions, diff, revert, import and audit on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  let key: Record<string, string>;
  let marketer: Record<string, string>;
  let support: Record<string, string>;

  const call = (method: string, path: string, body?: unknown, headers = key) =>
    app.call<Body>(method, path, body, headers);

  const login = async (email: string, role: string) => {
    await db
      .knex("operators")
      .insert({ email, role, password_hash: await hashPassword("correct horse battery") });
    const res = await fetch(`${app.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery" }),
    });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    return { cookie, "content-type": "application/json" };
  };

  const audit = async (query = "") =>
    ((await call("GET", `/api/audit${query}`)).body.entries ?? []) as AuditRow[];

  const enter = async (users: string[], journey: string) => {
    for (const u of users) {
      await app.ingest("/v1/identify", {
        userId: u,
        traits: { firstName: u, timezone: "Asia/Shanghai" },
        consent: { sms: { promotional: true } },
      });
      await app.ingest("/v1/track", {
        userId: u,
        event: "cart_abandoned",
        messageId: `${journey}-${u}`,
      });
    }
    await app.tick();
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    key = { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" };
    marketer = await login("mia@example.com", "marketer");
    support = await login("sam@example.com", "support");
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const v1 = cartReminder("hist") as Journey;
  const v2: Journey = {
    ...v1,
    nodes: v1.nodes.map((n) =>
      n.id === "sms1" && n.type === "send"
        ? {
            ...n,
            send: {
              ...n.send,
              template:
                "Hi {{ user.firstName }}, your basket is still waiting: {{ 'https://shop.example/cart' | track }}",
            },
          }
        : n,
    ),
  };

  it("keeps who published, when, the note, the in-flight policy and users moved; counts per version", async () => {
    expect((await call("POST", "/api/journeys", v1, marketer)).status).toBe(201);
    const p1 = await call("POST", "/api/journeys/hist/publish", { note: "first cut" }, marketer);
    expect(p1.status).toBe(200);
    await enter(["a", "b", "c"], "hist");
    expect((await call("PUT", "/api/journeys/hist", v2, marketer)).status).toBe(200);
    clock.advance(60_000);
    const p2 = await call("POST", "/api/journeys/hist/publish", {
      inFlight: "migrate",
      note: "  warmer copy  ",
    });
    expect(p2.body).toMatchObject({ version: 2, migrated: 3, exited: 0 });

    const list = await call("GET", "/api/journeys/hist/versions", undefined, support);
    expect(list.status).toBe(200);
    expect(list.body.liveVersion).toBe(2);
    expect(list.body.versions).toMatchObject([
      {
        version: 2,
        live: true,
        note: "warmer copy",
        inFlight: "migrate",
        migrated: 3,
        exited: 0,
        publishedBy: { id: null, name: "test" },
        activeUsers: 3,
        publishedAt: "2026-03-02T02:01:00.000Z",
      },
      {
        version: 1,
        live: false,
        note: "first cut",
        inFlight: "pin",
        migrated: 0,
        publishedBy: { id: expect.any(Number), name: "mia@example.com" },
        activeUsers: 0,
      },
    ]);
    const detail = await call("GET", "/api/journeys/hist/versions/2");
    expect(detail.body).toMatchObject({ version: 2, counts: { wait1: 3 } });
    expect((detail.body.definition as Journey).nodes.map((n) => n.id)).toContain("sms1");
    expect((await call("GET", "/api/journeys/hist/versions/1/counts")).body).toEqual({
      version: 1,
      counts: {},
    });
    expect((await call("GET", "/api/journeys/hist/versions/2/counts")).body).toEqual({
      version: 2,
      counts: { wait1: 3 },
    });
    for (const bad of ["0", "abc", "99999999999", "-1"])
      expect([bad, (await call("GET", `/api/journeys/hist/versions/${bad}`)).status]).toEqual([
        bad,
        400,
      ]);
    expect((await call("GET", "/api/journeys/hist/versions/7")).status).toBe(404);
  });

  it("serves the pure diff module's JSON for any two documents, template changes by words", async () => {
    const d = await call("GET", "/api/journeys/hist/diff?from=1&to=2");
    expect(d.status).toBe(200);
    const expected = JSON.parse(JSON.stringify(diffJourneys(v1, v2)));
    expect(d.body).toEqual({ from: "1", to: "2", ...expected });
    expect(d.body.summary).toMatchObject({ changed: 1, added: 0, removed: 0, changes: 1 });
    const [node] = d.body.nodes as {
      nodeId: string;
      fields: { path: string[]; words: unknown }[];
    }[];
    expect(node?.nodeId).toBe("sms1");
    expect(node?.fields[0]?.path).toEqual(["send", "template"]);
    expect(node?.fields[0]?.words).toEqual(
      expect.arrayContaining([
        { op: "removed", text: "cart" },
        { op: "added", text: "basket" },
        { op: "added", text: "still " },
      ]),
    );
    // Version against draft (equal now), and the errors.
    const same = await call("GET", "/api/journeys/hist/diff?from=2&to=draft");
    expect(same.body.summary).toMatchObject({ changes: 0 });
    expect((await call("GET", "/api/journeys/hist/diff?from=1&to=9")).status).toBe(404);
    expect((await call("GET", "/api/journeys/hist/diff?from=x&to=draft")).status).toBe(400);
    expect((await call("GET", "/api/journeys/nope/diff?from=1&to=draft")).status).toBe(404);
  });

  it("reverts the draft to any version and discards it back to live, never touching users", async () => {
    const before = await db.knex("enrollments").where({ journey_id: "hist" }).select();
    const r = await call("POST", "/api/journeys/hist/revert", { version: 1 }, marketer);
    expect(r.status).toBe(200);
    expect(r.body.journey).toEqual(v1);
    expect((r.body.diff as { summary: { changes: number } }).summary.changes).toBe(1);
    const j = (await call("GET", "/api/journeys/hist")).body;
    expect(j).toMatchObject({ status: "live", liveVersion: 2, draft: v1 });
    expect(await db.knex("enrollments").where({ journey_id: "hist" }).select()).toEqual(before);

    const discarded = await call("POST", "/api/journeys/hist/discard-draft", {}, marketer);
    expect(discarded.status).toBe(200);
    expect((await call("GET", "/api/journeys/hist")).body.draft).toEqual(v2);

    expect((await call("POST", "/api/journeys/hist/revert", { version: 5 })).status).toBe(404);
    for (const bad of [{}, { version: "1" }, { version: 0 }, { version: 1.5 }, [], null])
      expect((await call("POST", "/api/journeys/hist/revert", bad)).status).toBe(400);
    expect((await call("POST", "/api/journeys/hist/revert", { version: 1 }, support)).status).toBe(
      403,
    );
    // Nothing was ever published: there is no live version to go back to.
    await call("POST", "/api/journeys", cartReminder("never-live"));
    const none = await call("POST", "/api/journeys/never-live/discard-draft", {});
    expect([none.status, (none.body.error as { code: string }).code]).toEqual([
      409,
      "not_published",
    ]);
  });

  it("refuses an import onto an existing id with 409 and the diff; modes replace the draft or create anew", async () => {
    const live = await db.knex("journey_versions").where({ journey_id: "hist" }).select();
    const incoming = {
      ...v2,
      name: "History (from git)",
      nodes: v2.nodes.filter((n) => n.id !== "sms2"),
      edges: [
        ...v2.edges.filter((e) => e.to !== "sms2" && e.from !== "sms2"),
        { from: "clicked", to: "done", path: "no" },
      ],
    };
    const refused = await call("POST", "/api/journeys/import", incoming);
    expect(refused.status).toBe(409);
    const error = refused.body.error as {
      code: string;
      message: string;
      details: {
        journey: Body;
        againstDraft: { summary: Body; nodes: { nodeId: string; change: string }[] };
        againstLive: { summary: Body } | null;
      };
    };
    expect(error.code).toBe("journey_exists");
    expect(error.message).toContain("live v2");
    expect(error.details.journey).toEqual({
      id: "hist",
      name: "Cart reminder (test)",
      status: "live",
      liveVersion: 2,
    });
    expect(error.details.againstDraft.nodes).toEqual([
      expect.objectContaining({ nodeId: "sms2", change: "removed" }),
    ]);
    expect(error.details.againstDraft.summary).toMatchObject({ removed: 1, journey: 1 });
    expect(error.details.againstLive?.summary).toMatchObject({ removed: 1 });
    // Refused means nothing written: same draft, same versions.
    expect((await call("GET", "/api/journeys/hist")).body.draft).toEqual(v2);
    expect(await db.knex("journey_versions").where({ journey_id: "hist" }).select()).toEqual(live);

    const replaced = await call("POST", "/api/journeys/import?mode=replace_draft", incoming);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ outcome: "replaced_draft", replacedDraft: true });
    const after = (await call("GET", "/api/journeys/hist")).body;
    expect(after).toMatchObject({ status: "live", liveVersion: 2, draft: incoming });
    // The live version's row (and every published one) is byte for byte what it was.
    const published = (rows: { is_draft: boolean }[]) => rows.filter((r) => !r.is_draft);
    expect(
      published(await db.knex("journey_versions").where({ journey_id: "hist" }).select()),
    ).toEqual(published(live));

    const copy = await call("POST", "/api/journeys/import?mode=new", incoming);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ outcome: "created_copy", journey: { id: "hist-2" } });
    const named = await call("POST", "/api/journeys/import?mode=new&newId=hist-git", incoming);
    expect(named.body).toMatchObject({ journey: { id: "hist-git" } });
    const fresh = await call("POST", "/api/journeys/import", cartReminder("brand-new"));
    expect(fresh.body).toMatchObject({ outcome: "created", replacedDraft: false });
    expect(fresh.status).toBe(201);

    for (const q of ["?mode=overwrite", "?mode=new&newId=bad%20id", "?mode=new&newId="])
      expect([q, (await call("POST", `/api/journeys/import${q}`, incoming)).status]).toEqual([
        q,
        400,
      ]);
    expect((await call("POST", "/api/journeys/import", incoming, support)).status).toBe(403);
  });

  it("audits publish, pause, resume, archive, revert, discard, import and settings: who, when, what", async () => {
    clock.set("2026-03-03T09:00:00Z");
    await call("POST", "/api/journeys", cartReminder("audited"), marketer);
    expect((await call("POST", "/api/journeys/audited/publish", {}, marketer)).status).toBe(200);
    expect((await call("POST", "/api/journeys/audited/pause", undefined, marketer)).status).toBe(
      200,
    );
    expect((await call("POST", "/api/journeys/audited/resume")).status).toBe(200);
    // A refused action leaves no entry: resuming a live journey is a 409.
    expect((await call("POST", "/api/journeys/audited/resume")).status).toBe(409);
    // So does a publish that fails validation (its transaction rolls back).
    const broken = { ...cartReminder("audited"), edges: [] };
    await call("PUT", "/api/journeys/audited", broken, marketer);
    expect((await call("POST", "/api/journeys/audited/publish", {}, marketer)).status).toBe(422);
    expect(
      (await call("POST", "/api/journeys/audited/revert", { version: 1 }, marketer)).status,
    ).toBe(200);
    expect((await call("POST", "/api/journeys/audited/discard-draft", {}, marketer)).status).toBe(
      200,
    );
    expect((await call("DELETE", "/api/journeys/audited", undefined, marketer)).status).toBe(200);
    const settings = (await call("GET", "/api/settings")).body.policy as Body;
    expect(
      (await call("PUT", "/api/settings", { policy: { ...settings, quietHoursFor: [] } })).status,
    ).toBe(200);

    const trail = (await call("GET", "/api/journeys/audited/audit", undefined, support)).body
      .entries as AuditRow[];
    expect(trail.map((e) => e.action).reverse()).toEqual([
      "journey.publish",
      "journey.pause",
      "journey.resume",
      "journey.revert",
      "journey.discard_draft",
      "journey.archive",
    ]);
    const [archive, discard, revert, resume, pause, publish] = trail;
    expect(publish).toMatchObject({
      actor: { kind: "operator", name: "mia@example.com", role: "marketer" },
      subject: { type: "journey", id: "audited" },
      details: { version: 1, previousVersion: null, inFlight: "pin", migrated: 0 },
      at: "2026-03-03T09:00:00.000Z",
    });
    expect(pause?.actor).toMatchObject({ kind: "operator", name: "mia@example.com" });
    const keyRow = (await db.knex("api_keys").where({ kind: "secret" }).first("id")) as {
      id: string | number;
    };
    expect(resume?.actor).toEqual({
      kind: "key",
      id: Number(keyRow.id),
      name: "test",
      role: "admin",
    });
    expect(revert?.details).toMatchObject({ version: 1, discarded: { changes: 6 } });
    expect(discard?.details).toMatchObject({ version: 1, discarded: { changes: 0 } });
    expect(archive?.details).toEqual({ exited: 0 });

    // The whole log is the admin's: settings and imports are in it, filterable and paged.
    const settingsRows = await audit("?action=settings.update");
    expect(settingsRows).toHaveLength(1);
    expect(settingsRows[0]).toMatchObject({
      subject: { type: "settings", id: "policy" },
      details: { changed: null, policy: { quietHoursFor: [] } },
    });
    // A second change is audited with the fields that differ from the stored policy.
    expect(
      (
        await call("PUT", "/api/settings", {
          policy: { ...settings, quietHoursFor: ["promotional"] },
        })
      ).status,
    ).toBe(200);
    const [latest] = await audit("?action=settings.update");
    expect(latest?.details).toMatchObject({ changed: ["quietHoursFor"] });
    const imports = await audit("?action=journey.import");
    // Newest first: brand-new, hist-git, hist-2, then hist's draft (refused imports: none).
    expect(imports.map((e) => [e.subject.id, e.details.outcome])).toEqual([
      ["brand-new", "created"],
      ["hist-git", "created_copy"],
      ["hist-2", "created_copy"],
      ["hist", "replaced_draft"],
    ]);
    const page1 = (await call("GET", "/api/audit?limit=2")).body;
    const page2 = (await call("GET", `/api/audit?limit=2&before=${page1.next}`)).body;
    expect((page1.entries as AuditRow[]).length).toBe(2);
    expect((page2.entries as AuditRow[])[0]?.id).toBeLessThan(page1.next as number);
    expect((await call("GET", "/api/audit", undefined, marketer)).status).toBe(403);
    expect((await call("GET", "/api/audit?limit=0")).status).toBe(400);
    expect((await call("GET", "/api/audit?before=abc")).status).toBe(400);
  });
});
