import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../../server/db/connect.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { runCli, tempDir } from "../../helpers/server-process.ts";
import { call, createOperator, login } from "./helpers.ts";

/**
 * Issue 14, item 3: an engineer made a secret key, every secret key acted as an admin, so the
 * engineer created an admin operator with it; the key outlived the engineer's disabled account;
 * the key's operator id 0 let it disable its own creator. Replayed here against the real app.
 */
describe.each(databaseKinds)("secret keys with roles on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let admin: { id: number; email: string };
  let adminCookie: string;
  let engineer: { id: number; email: string };
  let engineerCookie: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"), {}, { metrics: true });
    admin = await createOperator(db.knex, "admin");
    adminCookie = await login(app.url, admin.email);
    engineer = await createOperator(db.knex, "engineer");
    engineerCookie = await login(app.url, engineer.email);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const makeKey = async (cookie: string, body: Record<string, unknown>) =>
    call(app.url, "POST", "/api/keys", { cookie, body: { kind: "secret", name: "k", ...body } });

  it("refuses an engineer an admin key, and the admin power the old keys gave", async () => {
    const adminKey = await makeKey(engineerCookie, { role: "admin" });
    expect(adminKey.status).toBe(403);
    expect((await makeKey(engineerCookie, { role: "marketer" })).status).toBe(403);

    // Without a role the key gets the creator's: engineer, which acts as an engineer.
    const key = await makeKey(engineerCookie, {});
    expect(key).toMatchObject({ status: 201, body: { role: "engineer" } });
    const bearer = String(key.body.key);
    const escalate = await call(app.url, "POST", "/api/operators", {
      bearer,
      body: { email: "mallory@example.test", role: "admin" },
    });
    expect(escalate.status).toBe(403);
    expect(await db.knex("operators").where({ email: "mallory@example.test" }).first()).toBe(
      undefined,
    );
    expect(
      (await call(app.url, "PUT", "/api/settings", { bearer, body: { policy: {} } })).status,
    ).toBe(403);
    // Nor can the key mint a stronger key in turn.
    expect((await makeKeyWith(bearer, { role: "admin" })).status).toBe(403);
    // What an engineer may do, it does.
    expect((await call(app.url, "GET", "/api/journeys", { bearer })).status).toBe(200);
    expect((await call(app.url, "GET", "/metrics", { bearer })).status).toBe(200);
    const me = await call(app.url, "GET", "/api/me", { bearer });
    expect(me.body.operator).toMatchObject({ id: engineer.id, role: "engineer", via: "key" });
  });

  const makeKeyWith = (bearer: string, body: Record<string, unknown>) =>
    call(app.url, "POST", "/api/keys", { bearer, body: { kind: "secret", name: "k2", ...body } });

  it("lists each key with its role and creator; engineers see only their own keys", async () => {
    const mine = await makeKey(engineerCookie, { role: "metrics", name: "scraper" });
    const theirs = await makeKey(adminCookie, { role: "support", name: "support-bot" });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const all = (await call(app.url, "GET", "/api/keys", { cookie: adminCookie })).body
      .keys as Record<string, unknown>[];
    expect(all.find((k) => k.id === mine.body.id)).toMatchObject({
      kind: "secret",
      role: "metrics",
      createdBy: engineer.email,
    });
    expect(all.find((k) => k.id === theirs.body.id)).toMatchObject({
      role: "support",
      createdBy: admin.email,
    });
    // The helper's CLI-style key: no creator, admin.
    expect(all.some((k) => k.createdBy === null && k.role === "admin")).toBe(true);

    const own = (await call(app.url, "GET", "/api/keys", { cookie: engineerCookie })).body
      .keys as Record<string, unknown>[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((k) => k.createdBy === engineer.email)).toBe(true);
    // An engineer cannot revoke a key they did not make; the admin can.
    const theirId = String(theirs.body.id);
    expect(
      (await call(app.url, "DELETE", `/api/keys/${theirId}`, { cookie: engineerCookie })).status,
    ).toBe(404);
    expect(
      (await call(app.url, "DELETE", `/api/keys/${theirId}`, { cookie: adminCookie })).status,
    ).toBe(200);
    const revoked = String(theirs.body.key);
    expect((await call(app.url, "GET", "/api/contacts", { bearer: revoked })).status).toBe(401);
  });

  it("answers hostile key bodies and ids with 400 naming the field", async () => {
    for (const body of [
      { role: "__proto__" },
      { role: "constructor" },
      { role: "root" },
      { role: "admin\u0000" },
      { role: ["admin"] },
    ]) {
      const res = await makeKey(adminCookie, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(JSON.stringify(res.body)).toContain("role");
    }
    const nul = await makeKey(adminCookie, { name: "key\u0000name" });
    expect(nul.status).toBe(400);
    expect(JSON.stringify(nul.body)).toContain("name");
    for (const id of ["99999999999999999999", "-1", "1e3", "%00"]) {
      const del = await call(app.url, "DELETE", `/api/keys/${id}`, { cookie: adminCookie });
      expect([id, del.status]).toEqual([id, 400]);
      const op = await call(app.url, "DELETE", `/api/operators/${id}`, { cookie: adminCookie });
      expect([id, op.status]).toEqual([id, 400]);
    }
    const write = await call(app.url, "POST", "/api/keys", {
      cookie: adminCookie,
      body: { kind: "write", name: "w", role: "admin" },
    });
    expect(write.status).toBe(400);
  });

  it("a metrics key scrapes /metrics and nothing else", async () => {
    const key = await makeKey(adminCookie, { role: "metrics" });
    const bearer = String(key.body.key);
    const metrics = await call(app.url, "GET", "/metrics", { bearer });
    expect(metrics.status).toBe(200);
    expect(String(metrics.body.text)).toContain("# HELP");
    for (const [method, path] of [
      ["GET", "/api/me"],
      ["GET", "/api/journeys"],
      ["GET", "/api/contacts"],
      ["GET", "/api/settings"],
      ["GET", "/api/keys"],
    ] as const) {
      expect([path, (await call(app.url, method, path, { bearer })).status]).toEqual([path, 403]);
    }
    expect((await makeKeyWith(bearer, { role: "metrics" })).status).toBe(403);
    // The API's description is public (issue #15): it reveals nothing a caller could not learn.
    expect((await call(app.url, "GET", "/api/openapi.json", { bearer })).status).toBe(200);
  });

  it("a key acts as its creator: it cannot disable them; secret keys die with their account, write keys stay until revoked", async () => {
    const boss = await createOperator(db.knex, "admin");
    const bossCookie = await login(app.url, boss.email);
    const bossKey = String((await makeKey(bossCookie, { role: "admin" })).body.key);
    // The old key had operator id 0, so "you cannot disable yourself" never matched.
    const self = await call(app.url, "DELETE", `/api/operators/${boss.id}`, { bearer: bossKey });
    expect(self).toMatchObject({ status: 409, body: { error: { code: "self" } } });

    const dev = await createOperator(db.knex, "engineer");
    const devCookie = await login(app.url, dev.email);
    const devKeys = [
      String((await makeKey(devCookie, { role: "engineer" })).body.key),
      String((await makeKey(devCookie, { role: "metrics" })).body.key),
    ];
    expect((await call(app.url, "GET", "/metrics", { bearer: devKeys[1] })).status).toBe(200);
    const writeKey = String(
      (
        await call(app.url, "POST", "/api/keys", {
          cookie: devCookie,
          body: { kind: "write", name: "dev backend" },
        })
      ).body.key,
    );
    const track = () =>
      fetch(`${app.url}/v1/track`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ userId: "dev-user", event: "seen" }),
      });
    expect((await track()).status).toBe(200);
    const disabled = await call(app.url, "DELETE", `/api/operators/${dev.id}`, {
      bearer: bossKey,
    });
    expect(disabled).toMatchObject({
      status: 200,
      body: { disabled: true, keysStopped: 2, writeKeysActive: 1 },
    });
    // The write key keeps ingesting (refusing it would make a production backend's SDK drop
    // events for good); the admin is told and revokes it deliberately.
    expect((await track()).status).toBe(200);
    for (const bearer of devKeys) {
      expect((await call(app.url, "GET", "/metrics", { bearer })).status).toBe(401);
      expect((await call(app.url, "GET", "/api/journeys", { bearer })).status).toBe(401);
    }
    expect((await call(app.url, "GET", "/api/journeys", { cookie: devCookie })).status).toBe(401);
    const listed = (await call(app.url, "GET", "/api/keys", { cookie: bossCookie })).body
      .keys as Record<string, unknown>[];
    expect(listed.filter((k) => k.createdBy === dev.email && k.creatorDisabledAt)).toHaveLength(3);
    const writeRow = listed.find((k) => k.kind === "write" && k.createdBy === dev.email);
    expect(
      (await call(app.url, "DELETE", `/api/keys/${writeRow?.id}`, { cookie: bossCookie })).status,
    ).toBe(200);
    expect((await track()).status).toBe(401);
  });

  it("refuses a key whose creator may no longer grant its role (demoted in the database)", async () => {
    const lead = await createOperator(db.knex, "engineer");
    const leadCookie = await login(app.url, lead.email);
    const bearer = String((await makeKey(leadCookie, { role: "engineer" })).body.key);
    expect((await call(app.url, "GET", "/api/keys", { bearer })).status).toBe(200);
    await db.knex("operators").where({ id: lead.id }).update({ role: "support" });
    expect((await call(app.url, "GET", "/api/journeys", { bearer })).status).toBe(401);
  });

  it("a deleted creator takes their keys along (they do not become creator-less CLI keys)", async () => {
    const temp = await createOperator(db.knex, "admin");
    const tempCookie = await login(app.url, temp.email);
    const bearer = String((await makeKey(tempCookie, { role: "admin" })).body.key);
    await db.knex("operators").where({ id: temp.id }).delete();
    expect((await call(app.url, "GET", "/api/journeys", { bearer })).status).toBe(401);
  });
});

describe("waymark keys create --role", () => {
  it("makes a secret key with the role asked for, admin by default; refuses unknown roles", async () => {
    const dir = tempDir();
    const env = { WAYMARK_DATA_DIR: dir };
    const metrics = await runCli(["keys", "create", "--kind", "secret", "--role", "metrics"], env);
    expect(metrics.code).toBe(0);
    expect(metrics.stderr).toContain("(metrics)");
    const plain = await runCli(["keys", "create", "--kind", "secret"], env);
    expect(plain.code).toBe(0);
    for (const bad of [
      ["keys", "create", "--kind", "secret", "--role", "root"],
      ["keys", "create", "--kind", "secret", "--role", "__proto__"],
      ["keys", "create", "--kind", "write", "--role", "admin"],
    ]) {
      const res = await runCli(bad, env);
      expect([bad.join(" "), res.code]).toEqual([bad.join(" "), 2]);
    }
    const db = await connect({ pgliteDir: dir });
    try {
      const rows = (await db.knex("api_keys").orderBy("id").select("kind", "role", "prefix")) as {
        kind: string;
        role: string | null;
        prefix: string;
      }[];
      expect(rows.map((r) => [r.kind, r.role])).toEqual([
        ["secret", "metrics"],
        ["secret", "admin"],
      ]);
      expect(rows[0]?.prefix).toBe(metrics.stdout.trim().slice(0, 7));
    } finally {
      await db.close();
    }
  }, 120_000);
});
