import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Issue #16, "Everyday console basics": GET /api/journeys searches names (`q`, any case, `%`
 * and `_` literal) and filters by `status` (archived left out unless asked for); bad filters
 * are a 400 naming the field. Unarchive brings a journey back paused (or a draft) without its
 * exited users, and never to a journey that is not archived.
 */
const doc = (id: string, name: string) => ({
  format: "waymark/journey@1",
  id,
  name,
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    { id: "hold", type: "wait", wait: { kind: "duration", duration: "P7D" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "hold" },
    { from: "hold", to: "done" },
  ],
});

interface Answer {
  journeys?: { id: string; status: string; archivedAt: string | null; activeUsers: number }[];
  status?: string;
  exited?: number;
  error?: { code: string; message: string };
}

describe.each(databaseKinds)("journey list filters and unarchive, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  const call = (method: string, path: string, body?: unknown) =>
    app.call<Answer>(method, path, body);
  const ids = async (query: string) => {
    const res = await call("GET", `/api/journeys${query}`);
    expect(res.status).toBe(200);
    return (res.body.journeys ?? []).map((j) => j.id).sort();
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const [id, name] of [
      ["cart-nudge", "Cart nudge"],
      ["cart-rescue", "Abandoned CART rescue"],
      ["pct", "100% off_sale"],
      ["welcome", "Welcome series"],
      ["never-live", "Never published"],
    ] as const)
      expect((await call("POST", "/api/journeys", doc(id, name))).status).toBe(201);
    for (const id of ["cart-nudge", "welcome"])
      expect((await call("POST", `/api/journeys/${id}/publish`, {})).status).toBe(200);
    expect((await call("POST", "/api/journeys/welcome/pause", { entries: "wait" })).status).toBe(
      200,
    );
    for (const userId of ["ann", "bob"])
      expect(
        (await call("POST", "/api/journeys/cart-nudge/enroll", { userId, properties: {} })).status,
      ).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("searches names and ids in any case, with % and _ taken literally", async () => {
    expect(await ids("?q=cart")).toEqual(["cart-nudge", "cart-rescue"]);
    expect(await ids("?q=%20CaRt%20")).toEqual(["cart-nudge", "cart-rescue"]);
    expect(await ids("?q=100%25")).toEqual(["pct"]);
    expect(await ids("?q=%25")).toEqual(["pct"]);
    expect(await ids("?q=f_s")).toEqual(["pct"]);
    expect(await ids("?q=_")).toEqual(["pct"]);
    expect(await ids("?q=never-li")).toEqual(["never-live"]);
    expect(await ids("?q=zzz")).toEqual([]);
  });

  it("filters by status and hides archived journeys unless asked for", async () => {
    expect(await ids("?status=live")).toEqual(["cart-nudge"]);
    expect(await ids("?status=paused")).toEqual(["welcome"]);
    expect(await ids("?status=draft")).toEqual(["cart-rescue", "never-live", "pct"]);
    expect(await ids("?status=draft&q=cart")).toEqual(["cart-rescue"]);

    const archived = await call("DELETE", "/api/journeys/cart-nudge");
    expect(archived.body).toMatchObject({ archived: true, exited: 2 });
    expect((await call("DELETE", "/api/journeys/never-live")).status).toBe(200);
    expect(await ids("")).toEqual(["cart-rescue", "pct", "welcome"]);
    expect(await ids("?q=cart")).toEqual(["cart-rescue"]);
    expect(await ids("?status=archived")).toEqual(["cart-nudge", "never-live"]);
    const row = (await call("GET", "/api/journeys?status=archived")).body.journeys?.[0];
    expect(row?.archivedAt).not.toBeNull();
    expect(row?.activeUsers).toBe(0);
  });

  it("answers bad filters with a 400 naming the field", async () => {
    const status = await call("GET", "/api/journeys?status=deleted");
    expect(status.status).toBe(400);
    expect(status.body.error?.message).toMatch(/^status:/);
    const long = await call("GET", `/api/journeys?q=${"x".repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.body.error?.message).toMatch(/^q: at most 200 characters/);
    const twice = await call("GET", "/api/journeys?q=a&q=b");
    expect(twice.status).toBe(400);
    expect(twice.body.error?.message).toMatch(/^q:/);
  });

  it("unarchives: a published journey comes back paused skipping entries, its users stay exited", async () => {
    const back = await call("POST", "/api/journeys/cart-nudge/unarchive", {});
    expect(back).toMatchObject({ status: 200, body: { status: "paused" } });
    const j = await call("GET", "/api/journeys/cart-nudge");
    expect(j.body).toMatchObject({ status: "paused", pause: { entries: "skip" } });
    const active = await db
      .knex("enrollments")
      .where({ journey_id: "cart-nudge", status: "active" })
      .count("* as n")
      .first();
    expect(Number(active?.n)).toBe(0);
    // Editable again: it was refused while archived.
    expect(
      (await call("PUT", "/api/journeys/cart-nudge", doc("cart-nudge", "Cart nudge 2"))).status,
    ).toBe(200);

    const draft = await call("POST", "/api/journeys/never-live/unarchive", {});
    expect(draft.body.status).toBe("draft");
    expect(await ids("?status=archived")).toEqual([]);

    const again = await call("POST", "/api/journeys/cart-nudge/unarchive", {});
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toContain("only an archived journey");
    expect((await call("POST", "/api/journeys/nope/unarchive", {})).status).toBe(404);
    const audit = await db
      .knex("audit_log")
      .where({ action: "journey.unarchive" })
      .orderBy("id")
      .select("subject_id", "details");
    expect(audit.map((a) => a.subject_id)).toEqual(["cart-nudge", "never-live"]);
  });
});
