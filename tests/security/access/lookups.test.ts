import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { call, createOperator, login } from "./helpers.ts";

const PHONE = "+8613812345678";

/**
 * Issue 14, item 5: support saw 138****5678 and recovered the number by searching the 10,000
 * candidates behind the mask — 556 searches, 8 s, no limit, no trace. Phone and email lookups
 * are now throttled per operator and audited, and the audit holds no clear phone.
 */
describe.each(databaseKinds)("contact lookups on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let support: { id: number; email: string };
  let supportCookie: string;
  let adminCookie: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"));
    await app.ingest("/v1/identify", {
      userId: "masked-1",
      traits: { phone: PHONE, email: "li.wei@example.com" },
    });
    support = await createOperator(db.knex, "support");
    supportCookie = await login(app.url, support.email);
    adminCookie = await login(app.url, (await createOperator(db.knex, "admin")).email);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const search = (cookie: string, q: string) =>
    call(app.url, "GET", `/api/contacts?q=${encodeURIComponent(q)}`, { cookie });

  it("cuts the mask-recovery attack off after 30 lookups in 10 minutes, and records every try", async () => {
    // The attacker walks the candidates 138 0000 5678 … 138 9999 5678.
    const statuses: number[] = [];
    let found: string | null = null;
    for (let i = 0; i < 40; i++) {
      const candidate = `+86138${String(i * 250).padStart(4, "0")}5678`;
      const res = await search(supportCookie, candidate);
      statuses.push(res.status);
      if (res.status === 200 && (res.body.contacts as unknown[]).length > 0) found = candidate;
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
    expect(statuses.slice(30)).toEqual(Array(10).fill(429));
    expect(found).toBeNull();
    // The real number, searched now, is refused too: the budget is spent.
    expect((await search(supportCookie, PHONE)).status).toBe(429);

    const rows = await db.knex("contact_lookups").where({ operator_id: support.id });
    expect(rows).toHaveLength(41);
    expect(rows.filter((r) => r.refused)).toHaveLength(11);
    // No clear number anywhere in the audit: blind indexes and masks only.
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(/\+?86138\d{8}/);
    expect(dump).not.toContain("13812345678");
  });

  it("throttles per operator: a colleague still searches, and finds the contact masked", async () => {
    const other = await createOperator(db.knex, "support");
    const cookie = await login(app.url, other.email);
    const res = await search(cookie, "+86 138 1234 5678");
    expect(res.status).toBe(200);
    expect(res.body.contacts).toMatchObject([{ externalId: "masked-1", phone: "138****5678" }]);
    const row = await db.knex("contact_lookups").where({ operator_id: other.id }).first();
    const contact = await db
      .knex("contacts")
      .where({ external_id: "masked-1" })
      .first("phone_hash");
    // The audit's lookup is the contacts table's blind index: an admin can tell who was probed.
    expect(row).toMatchObject({
      kind: "phone",
      lookup: contact.phone_hash,
      shown: "138****5678",
      matched: 1,
      refused: false,
    });
    const byEmail = await search(cookie, "Li.Wei@example.com");
    expect(byEmail.body.contacts).toMatchObject([{ email: "l***@example.com" }]);
    // Hostile queries: a 400, not a 500 from PostgreSQL.
    expect((await search(cookie, "a\u0000@example.com")).status).toBe(400);
    expect((await search(cookie, "x".repeat(400))).status).toBe(400);
    // External-id searches are not contact-data lookups: not audited.
    await search(cookie, "masked");
    expect(await db.knex("contact_lookups").where({ operator_id: other.id })).toHaveLength(2);
  });

  it("holds a daily ceiling too (300), across the 10-minute windows", async () => {
    const heavy = await createOperator(db.knex, "marketer");
    const cookie = await login(app.url, heavy.email);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await db.knex("contact_lookups").insert(
      Array.from({ length: 300 }, () => ({
        at: hourAgo,
        operator_id: heavy.id,
        actor: `operator:${heavy.id}`,
        kind: "phone",
        lookup: "x",
        shown: "***",
        matched: 0,
      })),
    );
    const res = await search(cookie, PHONE);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(20 * 3600);
  });

  it("shows the audit to admins only, newest first, without clear phones", async () => {
    expect(
      (await call(app.url, "GET", "/api/audit/lookups", { cookie: supportCookie })).status,
    ).toBe(403);
    const res = await call(app.url, "GET", "/api/audit/lookups?limit=5", { cookie: adminCookie });
    expect(res.status).toBe(200);
    const lookups = res.body.lookups as Record<string, unknown>[];
    expect(lookups).toHaveLength(5);
    const ids = lookups.map((l) => Number(l.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const page = await call(app.url, "GET", `/api/audit/lookups?before=${ids[4]}&limit=500`, {
      cookie: adminCookie,
    });
    const all = [...lookups, ...(page.body.lookups as Record<string, unknown>[])];
    expect(all.find((l) => l.operator === support.email && l.refused === true)).toMatchObject({
      kind: "phone",
      shown: expect.stringMatching(/^138\*{4}5678$/),
    });
    expect(JSON.stringify(all)).not.toMatch(/86138\d{8}|13812345678/);
    expect(
      (await call(app.url, "GET", "/api/audit/lookups?limit=__proto__", { cookie: adminCookie }))
        .status,
    ).toBe(400);
  });
});
