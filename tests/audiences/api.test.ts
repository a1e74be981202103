import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { daysAgo, grant, insertContacts, insertEvents, NOW } from "./fixture.ts";

/**
 * The audience API over real HTTP: CRUD, estimate, preview, the RFM grid, and SQL injection
 * attempts in attribute names, values, event names and properties, which must answer 200 or
 * 4xx — never 500 — and leave every table as it was.
 */
describe.each(databaseKinds)("audience API on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock(NOW.toISOString());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" },
      body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      body: (res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text) as Record<
        string,
        unknown
      >,
    };
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    const ids = await insertContacts(db.knex, [
      { externalId: "gd", attributes: { region: "Guangdong", orders: 4 }, consent: grant(true) },
      { externalId: "zj", attributes: { region: "Zhejiang", orders: 1 } },
      {
        externalId: "weird",
        attributes: {
          "region'; drop table contacts; --": "x",
          'a"b': "q",
          "?|": 1,
          地区: "广东",
          "emoji🙂": "✓",
          region: "Robert'); DROP TABLE events;--",
        },
      },
    ]);
    await insertEvents(db.knex, ids, [
      { contact: "gd", name: "purchased", at: daysAgo(3), properties: { amount: 300 } },
      { contact: "gd", name: "purchased", at: daysAgo(30), properties: { amount: 100 } },
      { contact: "gd", name: "purchased", at: daysAgo(90), properties: { amount: 100 } },
      { contact: "zj", name: "purchased", at: daysAgo(200), properties: { amount: 40 } },
      {
        contact: "weird",
        name: "x'; delete from events; --",
        at: daysAgo(1),
        properties: { "a'b": 2 },
      },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("creates, lists, reads, updates, previews and deletes an audience", async () => {
    const created = await call("POST", "/api/audiences", {
      name: "Loyal buyers",
      definition: { event: "purchased", count: true, op: "gte", value: 3, within: "P180D" },
    });
    expect(created.status).toBe(201);
    const audience = created.body.audience as { id: string; name: string };
    expect(audience.id).toBe("loyal-buyers");
    expect(created.body.issues).toEqual([]);

    const again = await call("POST", "/api/audiences", {
      name: "Loyal buyers",
      definition: { and: [] },
    });
    expect(again.status).toBe(201);
    expect((again.body.audience as { id: string }).id).toMatch(/^loyal-buyers-[0-9a-f]{6}$/);
    expect(again.body.issues).toMatchObject([{ code: "empty_group", severity: "warning" }]);
    const dup = await call("POST", "/api/audiences", {
      id: "loyal-buyers",
      name: "x",
      definition: { and: [] },
    });
    expect(dup.status).toBe(409);

    const list = await call("GET", "/api/audiences");
    expect((list.body.audiences as unknown[]).length).toBe(2);
    expect((await call("GET", "/api/audiences/loyal-buyers")).body.audience).toMatchObject({
      name: "Loyal buyers",
    });

    const preview = await call("GET", "/api/audiences/loyal-buyers/preview");
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(1);
    expect(preview.body.members).toMatchObject([
      { externalId: "gd", email: "gd@example.com", attributes: { region: "Guangdong" } },
    ]);

    const put = await call("PUT", "/api/audiences/loyal-buyers", {
      name: "Guangdong",
      definition: { attribute: "region", op: "eq", value: "Guangdong" },
    });
    expect(put.status).toBe(200);
    expect((await call("GET", "/api/audiences/loyal-buyers/preview")).body.count).toBe(1);

    expect((await call("DELETE", "/api/audiences/loyal-buyers")).status).toBe(200);
    expect((await call("GET", "/api/audiences/loyal-buyers")).status).toBe(404);
    expect((await call("DELETE", "/api/audiences/loyal-buyers")).status).toBe(404);
    expect(
      (await call("PUT", "/api/audiences/nope", { name: "x", definition: { and: [] } })).status,
    ).toBe(404);
  });

  it("refuses to delete an audience a journey uses", async () => {
    await call("POST", "/api/audiences", {
      id: "vip",
      name: "VIP",
      definition: { rfm: { m: [5, 5] } },
    });
    const journey = {
      format: "waymark/journey@1",
      id: "vip-journey",
      name: "VIP",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "audience", audience: "vip" } },
        { id: "done", type: "exit" },
      ],
      edges: [{ from: "start", to: "done" }],
    };
    expect((await call("POST", "/api/journeys", journey)).status).toBe(201);
    const del = await call("DELETE", "/api/audiences/vip");
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({
      code: "audience_in_use",
      details: { journeys: ["vip-journey"] },
    });
  });

  it("estimates and previews an unsaved definition", async () => {
    const est = await call("POST", "/api/audiences/estimate", {
      event: "purchased",
      lastBetween: { to: "P10D" },
    });
    expect(est.status).toBe(200);
    expect(est.body).toMatchObject({ count: 1, issues: [] });
    expect(typeof est.body.ms).toBe("number");
    const pre = await call("POST", "/api/audiences/preview", {
      attribute: "orders",
      op: "gte",
      value: 1,
    });
    expect((pre.body.members as { externalId: string }[]).map((m) => m.externalId)).toEqual([
      "zj",
      "gd",
    ]);
  });

  it("answers invalid definitions with 422 and the issues' paths", async () => {
    const bad = await call("POST", "/api/audiences/estimate", {
      and: [
        { attribute: "region", op: "between", value: 1 },
        { rfm: { r: [4, 2] } },
        { event: "purchased", lastBetween: { from: "P90D", to: "P30D" } },
        { attribute: "orders", op: "gt" },
        { event: "purchased", count: true, op: "gte", value: 3, within: "3 days" },
        { hello: 1 },
      ],
    });
    expect(bad.status).toBe(422);
    const issues = (bad.body.error as { details: { code: string; path: unknown[] }[] }).details;
    expect(issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["schema", "and.0.op"],
      ["bad_range", "and.1.rfm.r"],
      ["bad_range", "and.2.lastBetween"],
      ["missing_value", "and.3.value"],
      ["bad_duration", "and.4.within"],
      ["schema", "and.5"],
    ]);
    const levels = 5000;
    const deep = `${'{"not":'.repeat(levels)}{"attribute":"a","op":"exists"}${"}".repeat(levels)}`;
    const tooDeep = await call("POST", "/api/audiences/estimate", deep);
    expect(tooDeep.status).toBe(422);
    expect((tooDeep.body.error as { code: string }).code).toBe("invalid_audience");
    const many = await call("POST", "/api/audiences/estimate", {
      or: Array.from({ length: 150 }, () => ({ attribute: "a", op: "exists" })),
    });
    expect(many.status).toBe(422);
    expect((await call("POST", "/api/audiences", { name: "x" })).status).toBe(400);
    expect((await call("POST", "/api/audiences/estimate", [1, 2])).status).toBe(422);
  });

  const HOSTILE = [
    "region'; drop table contacts; --",
    'a"b',
    "?|",
    "?",
    "??",
    "$1",
    ":name",
    "地区",
    "emoji🙂",
    "\\",
    "'",
    "x') or ('1'='1",
    "Robert'); DROP TABLE events;--",
    "a.b.c'.\"d",
    "{}",
    "{a,b}",
  ];

  it("treats hostile attribute names, values, event names and properties as data", async () => {
    const before = await snapshot();
    const counts: Record<string, unknown> = {};
    for (const h of HOSTILE) {
      const docs: unknown[] = [
        { attribute: h, op: "eq", value: h },
        { attribute: h, op: "exists" },
        { attribute: "region", op: "in", value: [h, `${h}'`, 1, null] },
        { attribute: h, op: "gt", value: h },
        { attribute: h, op: "contains", value: h },
        { event: h, count: true, op: "gte", value: 1, within: "P30D" },
        { event: "purchased", sum: { property: h }, op: "gte", value: 1 },
        {
          event: "purchased",
          where: [{ field: h, op: "eq", value: h }],
          count: true,
          op: "gte",
          value: 1,
        },
        { event: h, lastBetween: { from: "P1D" } },
        { event: h, never: true },
      ];
      for (const doc of docs) {
        const res = await call("POST", "/api/audiences/estimate", doc);
        expect([JSON.stringify(doc), res.status]).toEqual([JSON.stringify(doc), 200]);
        counts[JSON.stringify(doc)] = res.body.count;
      }
    }
    // The hostile keys that exist as attributes are found, exactly, like any other key.
    const est = async (doc: unknown) =>
      (await call("POST", "/api/audiences/estimate", doc)).body.count;
    expect(await est({ attribute: "region'; drop table contacts; --", op: "eq", value: "x" })).toBe(
      1,
    );
    expect(await est({ attribute: 'a"b', op: "eq", value: "q" })).toBe(1);
    expect(await est({ attribute: "?|", op: "eq", value: 1 })).toBe(1);
    expect(await est({ attribute: "地区", op: "eq", value: "广东" })).toBe(1);
    expect(await est({ attribute: "emoji🙂", op: "exists" })).toBe(1);
    expect(
      await est({ attribute: "region", op: "eq", value: "Robert'); DROP TABLE events;--" }),
    ).toBe(1);
    expect(
      await est({ event: "x'; delete from events; --", count: true, op: "eq", value: 1 }),
    ).toBe(1);
    expect(
      await est({
        event: "x'; delete from events; --",
        sum: { property: "a'b" },
        op: "eq",
        value: 2,
      }),
    ).toBe(1);
    expect(await est({ attribute: "region", op: "eq", value: "x') or ('1'='1" })).toBe(0);
    // Stored and read back byte for byte.
    const saved = await call("POST", "/api/audiences", {
      name: HOSTILE.join(" "),
      definition: { or: HOSTILE.map((h) => ({ attribute: h, op: "eq", value: h })) },
    });
    expect(saved.status).toBe(201);
    const id = (saved.body.audience as { id: string }).id;
    const back = await call("GET", `/api/audiences/${encodeURIComponent(id)}`);
    expect((back.body.audience as { name: string }).name).toBe(HOSTILE.join(" "));
    expect((await call("GET", `/api/audiences/${encodeURIComponent(id)}/preview`)).status).toBe(
      200,
    );
    expect(
      (await call("GET", `/api/audiences/${encodeURIComponent("x'; drop table audiences; --")}`))
        .status,
    ).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  /** Row counts of every table the audience code reads: an injection would change one. */
  async function snapshot() {
    const out: Record<string, number> = {};
    for (const t of ["contacts", "events", "suppressions", "messages", "enrollments", "journeys"]) {
      const row = (await db.knex(t).count("* as n").first()) as { n: string | number };
      out[t] = Number(row.n);
    }
    return out;
  }

  it("serves the RFM grid: 25 cells with counts, mean spend and each cell's definition", async () => {
    const res = await call("GET", "/api/rfm");
    expect(res.status).toBe(200);
    const grid = res.body as {
      cells: {
        r: number;
        f: number;
        count: number;
        avgMonetary: number | null;
        definition: unknown;
      }[];
      buyers: number;
      contacts: number;
      recency: { score: number; minDays: number | null }[];
    };
    expect(grid.cells).toHaveLength(25);
    expect(grid.buyers).toBe(2);
    expect(grid.contacts).toBe(3);
    const nonEmpty = grid.cells.filter((c) => c.count > 0);
    expect(nonEmpty).toHaveLength(2);
    const gd = grid.cells.find((c) => c.r === 2 && c.f === 2);
    expect(gd).toMatchObject({
      count: 1,
      avgMonetary: 500,
      definition: { rfm: { r: [2, 2], f: [2, 2] } },
    });
    // The cell's definition selects exactly the cell's contacts.
    const est = await call("POST", "/api/audiences/estimate", gd?.definition);
    expect(est.body.count).toBe(1);
    expect(grid.recency.find((r) => r.score === 2)?.minDays).toBe(3);
  });
});
