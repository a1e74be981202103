import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { call, createOperator, login } from "../security/access/helpers.ts";

/**
 * Issue #16, "Everyday console basics": support finds a contact by phone in any common format,
 * by name, email and id, and the contacts list is paged. Phones are stored encrypted with a
 * blind index of their E.164 form, so each format must become the right E.164 before lookup.
 */
const AVA = { userId: "us-ava", phone: "+13105550101", firstName: "Ava", lastName: "Moreno" };
const LI = { userId: "cn-li", phone: "+8613800138000", firstName: "Wei", lastName: "Li" };
/** Neighbours one digit away, so a sloppy match would find two. */
const OTHERS = [
  { userId: "us-ben", phone: "+13105550102", firstName: "Ben", lastName: "Ng" },
  { userId: "cn-zhang", phone: "+8613800138001", firstName: "Zhang", lastName: "San" },
  // The CN reading of "(310) 555-0101" (a Handan landline) is a different person.
  { userId: "cn-handan", phone: "+8613105550101", firstName: "Hao", lastName: "Zhou" },
];

const FORMATS: [string, string][] = [
  ["(310) 555-0101", AVA.userId],
  ["3105550101", AVA.userId],
  ["310-555-0101", AVA.userId],
  ["+1 310 555 0101", AVA.userId],
  ["+13105550101", AVA.userId],
  ["+1 (310) 555-0101", AVA.userId],
  ["138 0013 8000", LI.userId],
  ["+86 138 0013 8000", LI.userId],
  ["13800138000", LI.userId],
  ["+8613800138000", LI.userId],
];

describe.each(databaseKinds)("contact search and paging on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let cookie: string;
  let admin: string;
  let support: { id: number; email: string };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"));
    for (const c of [AVA, LI, ...OTHERS]) {
      const r = await app.ingest("/v1/identify", {
        userId: c.userId,
        traits: {
          phone: c.phone,
          email: `${c.userId}@example.com`,
          firstName: c.firstName,
          lastName: c.lastName,
        },
      });
      expect(r.status).toBeLessThan(300);
    }
    for (let i = 0; i < 7; i++) {
      await app.ingest("/v1/identify", { userId: `filler-${i}`, traits: { plan: "free" } });
    }
    // Lookups are throttled at 30 per 10 minutes per operator: one operator per concern.
    support = await createOperator(db.knex, "support");
    cookie = await login(app.url, support.email);
    admin = await login(app.url, (await createOperator(db.knex, "admin")).email);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const search = (q: string, who = admin, extra = "") =>
    call(app.url, "GET", `/api/contacts?q=${encodeURIComponent(q)}${extra}`, { cookie: who });
  const ids = (body: Record<string, unknown>) =>
    (body.contacts as { externalId: string }[]).map((c) => c.externalId);

  it("finds exactly the right contact by phone in every common format", async () => {
    for (const [q, expected] of FORMATS) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
      expect(ids(res.body), q).toEqual([expected]);
    }
    // A wrong number, in national and international form, finds nobody.
    for (const q of ["(310) 555-0199", "+1 310 555 0199", "138 0013 8009", "+86 138 0013 8009"]) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
      expect(ids(res.body), q).toEqual([]);
    }
    // An explicit country code wins: +86 310… is the Handan landline, never Ava.
    expect(ids((await search("+86 310 555 0101")).body)).toEqual([]);
    expect(ids((await search("+86 131 0555 0101")).body)).toEqual(["cn-handan"]);
  });

  it("shows support the number masked, and counts one lookup per search however many readings", async () => {
    const before = await db.knex("contact_lookups").where({ operator_id: support.id });
    const res = await search("(310) 555-0101", cookie);
    expect(res.status).toBe(200);
    expect(res.body.contacts).toMatchObject([{ externalId: AVA.userId, phone: "310****0101" }]);
    const after = await db.knex("contact_lookups").where({ operator_id: support.id });
    expect(after.length - before.length).toBe(1);
    const row = after[after.length - 1];
    const stored = await db.knex("contacts").where({ external_id: AVA.userId }).first("phone_hash");
    // The audit holds every probed index (the US reading among them), no clear number.
    expect(String(row.lookup).split(" ")).toContain(stored.phone_hash);
    expect(JSON.stringify(row)).not.toContain("5550101");
    expect(row.matched).toBe(1);
  });

  it("finds by name, email, external id and contact number", async () => {
    expect(ids((await search("ava")).body)).toEqual([AVA.userId]);
    expect(ids((await search("Ava Moreno")).body)).toEqual([AVA.userId]);
    expect(ids((await search("moreno")).body)).toEqual([AVA.userId]);
    expect(ids((await search("wei")).body)).toEqual([LI.userId]);
    expect(ids((await search("CN-LI@example.com")).body)).toEqual([LI.userId]);
    expect(ids((await search("us-ava")).body)).toEqual([AVA.userId]);
    expect(ids((await search("cn-")).body).sort()).toEqual(["cn-handan", "cn-li", "cn-zhang"]);
    const ava = await db.knex("contacts").where({ external_id: AVA.userId }).first("id");
    expect(ids((await search(String(ava.id))).body)).toEqual([AVA.userId]);
    expect(ids((await search("nobody")).body)).toEqual([]);
  });

  it("pages the list newest first with a bounded limit and an id cursor", async () => {
    const total = Number((await db.knex("contacts").count("* as n").first())?.n);
    expect(total).toBe(12);
    const seen: number[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const path = `/api/contacts?limit=5${before === null ? "" : `&before=${before}`}`;
      const res = await call(app.url, "GET", path, { cookie: admin });
      expect(res.status).toBe(200);
      const page = (res.body.contacts as { id: number }[]).map((c) => c.id);
      expect(page.length).toBeLessThanOrEqual(5);
      seen.push(...page);
      before = res.body.next as number | null;
      pages++;
    } while (before !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(total);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    // Without a limit, 50 at most; a search pages the same way.
    const first = await call(app.url, "GET", "/api/contacts", { cookie: admin });
    expect(first.body).toMatchObject({ next: null });
    const cn = await search("cn-", admin, "&limit=2");
    expect(ids(cn.body)).toHaveLength(2);
    const rest = await search("cn-", admin, `&limit=2&before=${cn.body.next}`);
    expect(ids(rest.body)).toHaveLength(1);
    expect(rest.body.next).toBeNull();
  });

  it("answers hostile input with a 400 naming the field, or nothing found; never a 500", async () => {
    const bad = async (path: string, field: string) => {
      const res = await call(app.url, "GET", path, { cookie: admin });
      expect(res.status, path.slice(0, 80)).toBe(400);
      const error = res.body.error as { message: string };
      expect(error.message, path.slice(0, 80)).toMatch(new RegExp(`^(query\\.)?${field}\\b`));
    };
    await bad(`/api/contacts?q=${encodeURIComponent("310\u0000555")}`, "q");
    await bad(`/api/contacts?q=${"9".repeat(10_240)}`, "q");
    await bad(`/api/contacts?q=${encodeURIComponent("(".repeat(3_000))}`, "q");
    await bad("/api/contacts?q=a&q=b", "q");
    await bad("/api/contacts?limit=__proto__", "limit");
    await bad("/api/contacts?limit=101", "limit");
    await bad("/api/contacts?limit=0", "limit");
    await bad("/api/contacts?before=-1", "before");
    await bad("/api/contacts?before=1e400", "before");
    for (const q of [
      "__proto__",
      "constructor",
      "%",
      "_",
      "\\",
      "+",
      "+++",
      "()",
      "1e5",
      "'; drop table contacts; --",
    ]) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
      expect(ids(res.body), q).toEqual([]);
    }
    const proto = await call(app.url, "GET", "/api/contacts?__proto__[q]=x&limit=1", {
      cookie: admin,
    });
    expect(proto.status).toBe(200);
    expect(Object.prototype).not.toHaveProperty("q");
  });
});
