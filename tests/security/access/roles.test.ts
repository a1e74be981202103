import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_ACTIONS, permissionsFrom } from "../../../server/auth/permissions.ts";
import { createApiKey } from "../../../server/keys/api-keys.ts";
import { manualClock } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { cartReminder } from "../../helpers/journeys.ts";
import { closeClients, connect } from "../../realtime/clients.ts";
import { type RealtimeApp, startRealtimeApp } from "../../realtime/harness.ts";
import { call, createOperator, login } from "./helpers.ts";

/**
 * Issue 16, "everyday console basics": an admin changes an operator's role. The change is
 * audited with it, cannot remove the last admin or the admin's own role, takes effect on the
 * operator's next request and open sockets, and stops the secret keys the operator may no
 * longer grant. GET /api/me tells the console what the role may do, from the route table.
 */
describe("console permissions", () => {
  it("are read from the route table, and a renamed route fails at start-up, not silently", () => {
    const can = permissionsFrom([
      ...Object.values(CONSOLE_ACTIONS).map(([method, path]) => ({
        method,
        path,
        access: ["marketer"] as const,
        summary: "",
        responses: {},
        handler: () => undefined,
      })),
    ]);
    expect(can("marketer").publishJourney).toBe(true);
    expect(can("support").publishJourney).toBe(false);
    expect(can("admin").publishJourney).toBe(true);
    expect(() => permissionsFrom([])).toThrow(/no route/);
  });
});

describe.each(databaseKinds)("changing an operator's role on %s", (kind) => {
  let db: TestDatabase;
  let server: RealtimeApp;
  let url: string;
  let admin: { id: number; email: string };
  let adminCookie: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    server = await startRealtimeApp(db, manualClock("2026-03-02T02:00:00Z"), {
      credentialCheckMs: 0,
    });
    url = server.app.url;
    admin = await createOperator(db.knex, "admin");
    adminCookie = await login(url, admin.email);
  });
  afterAll(async () => {
    closeClients();
    await server?.close();
    await db?.close();
  });

  const setRole = (
    id: number | string,
    body: unknown,
    auth: { cookie?: string; bearer?: string },
  ) => call(url, "PUT", `/api/operators/${id}/role`, { ...auth, body });
  const me = async (cookie: string) =>
    (await call(url, "GET", "/api/me", { cookie })).body.operator as {
      role: string;
      permissions: Record<string, boolean>;
    };

  it("demotes a marketer to support: audited, and their next request is a support request", async () => {
    const marketer = await createOperator(db.knex, "marketer");
    const cookie = await login(url, marketer.email);
    expect((await me(cookie)).permissions).toMatchObject({
      publishJourney: true,
      editJourney: true,
    });
    const draft = await call(url, "POST", "/api/journeys", {
      cookie,
      body: cartReminder("before-demotion"),
    });
    expect(draft.status).toBe(201);

    const res = await setRole(marketer.id, { role: "support" }, { cookie: adminCookie });
    expect(res).toMatchObject({
      status: 200,
      body: { changed: true, role: "support", from: "marketer" },
    });
    // The same cookie, no new login: the role is read on every request.
    const after = await me(cookie);
    expect(after.role).toBe("support");
    expect(after.permissions).toMatchObject({
      publishJourney: false,
      pauseJourney: false,
      editJourney: false,
      importJourney: false,
      createJourney: false,
      manageOperators: false,
    });
    const refused = await call(url, "POST", "/api/journeys", {
      cookie,
      body: cartReminder("after-demotion"),
    });
    expect(refused.status).toBe(403);
    expect((await call(url, "GET", "/api/journeys", { cookie })).status).toBe(200);

    const log = await call(url, "GET", `/api/audit?action=operator.role`, { cookie: adminCookie });
    const entries = log.body.entries as Record<string, unknown>[];
    expect(
      entries.find((e) => (e.subject as { id: string }).id === String(marketer.id)),
    ).toMatchObject({
      action: "operator.role",
      actor: { kind: "operator", id: admin.id, role: "admin" },
      subject: { type: "operator", id: String(marketer.id) },
      details: { email: marketer.email, from: "marketer", to: "support", keysStopped: 0 },
    });
    expect((await db.knex("operators").where({ id: marketer.id }).first("role")).role).toBe(
      "support",
    );

    // Setting the role it already has changes nothing and writes no entry.
    const again = await setRole(marketer.id, { role: "support" }, { cookie: adminCookie });
    expect(again).toMatchObject({ status: 200, body: { changed: false } });
    const count = await db.knex("audit_log").where({ action: "operator.role" }).count("* as n");
    expect(Number(count[0]?.n)).toBe(1);
  });

  it("each role's permissions follow the route table", async () => {
    const seen: Record<string, Record<string, boolean>> = {};
    for (const role of ["admin", "marketer", "support", "engineer"] as const) {
      const op = role === "admin" ? admin : await createOperator(db.knex, role);
      seen[role] = (
        await me(role === "admin" ? adminCookie : await login(url, op.email))
      ).permissions;
    }
    expect(Object.values(seen.admin ?? {}).every(Boolean)).toBe(true);
    // Support changes nothing in journeys or settings; it acts on contacts (issue #16).
    expect(
      Object.entries(seen.support ?? {})
        .filter(([, allowed]) => allowed)
        .map(([action]) => action)
        .sort(),
    ).toEqual(["editConsent", "optInContact", "optOutContact"]);
    expect(seen.engineer).toMatchObject({ optOutContact: false, editConsent: false });
    expect(seen.marketer).toMatchObject({
      publishJourney: true,
      manageKeys: false,
      readAudit: false,
    });
    expect(seen.engineer).toMatchObject({ manageKeys: true, importJourney: true });
  });

  it("refuses your own role and the last admin's", async () => {
    const self = await setRole(admin.id, { role: "marketer" }, { cookie: adminCookie });
    expect(self).toMatchObject({ status: 409, body: { error: { code: "self" } } });
    // A key made with the CLI has no account behind it: only the last-admin rule stops it.
    const { key } = await createApiKey(db.knex, "secret", "cli", null, "admin");
    const last = await setRole(admin.id, { role: "engineer" }, { bearer: key });
    expect(last).toMatchObject({ status: 409, body: { error: { code: "last_admin" } } });
    expect((await me(adminCookie)).role).toBe("admin");

    // With a second admin, the first can be demoted — once: then the second is the last.
    const second = await createOperator(db.knex, "admin");
    expect((await setRole(admin.id, { role: "engineer" }, { bearer: key })).status).toBe(200);
    const then = await setRole(second.id, { role: "engineer" }, { bearer: key });
    expect(then).toMatchObject({ status: 409, body: { error: { code: "last_admin" } } });
    const actor = await db
      .knex("audit_log")
      .where({ action: "operator.role", subject_id: String(admin.id) })
      .first();
    expect(actor).toBeDefined();
    // Restore, for the tests that follow.
    expect((await setRole(admin.id, { role: "admin" }, { bearer: key })).status).toBe(200);
  });

  it("is for admins only, and answers hostile input with a 4xx naming the field", async () => {
    const target = await createOperator(db.knex, "support");
    const engineer = await login(url, (await createOperator(db.knex, "engineer")).email);
    expect((await setRole(target.id, { role: "admin" }, { cookie: engineer })).status).toBe(403);
    expect((await setRole(target.id, { role: "admin" }, {})).status).toBe(401);

    for (const body of [
      {},
      { role: "owner" },
      { role: "__proto__" },
      { role: "metrics" },
      { role: "x".repeat(100_000) },
      { role: ["admin"] },
      { role: null },
    ]) {
      const res = await setRole(target.id, body, { cookie: adminCookie });
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(String((res.body.error as { message: string }).message)).toMatch(/^role/);
    }
    const nul = await setRole(target.id, { role: "admin\u0000" }, { cookie: adminCookie });
    expect(nul.status).toBe(400);
    expect(String((nul.body.error as { message: string }).message)).toContain("role");
    const proto = await setRole(target.id, '{"__proto__":{"role":"admin"}}', {
      cookie: adminCookie,
    });
    expect(proto.status).toBe(400);
    expect(String((proto.body.error as { message: string }).message)).toMatch(/role/);
    expect((await setRole("abc", { role: "admin" }, { cookie: adminCookie })).status).toBe(400);
    expect((await setRole("9".repeat(40), { role: "admin" }, { cookie: adminCookie })).status).toBe(
      400,
    );
    expect((await setRole(999_999, { role: "admin" }, { cookie: adminCookie })).status).toBe(404);
    // Nothing above changed the target.
    expect((await db.knex("operators").where({ id: target.id }).first("role")).role).toBe(
      "support",
    );
  });

  it("stops the secret keys the demoted operator may no longer grant, and ends their sockets", async () => {
    const engineer = await createOperator(db.knex, "engineer");
    const cookie = await login(url, engineer.email);
    const made = async (role: string) =>
      String(
        (
          await call(url, "POST", "/api/keys", {
            cookie,
            body: { kind: "secret", name: role, role },
          })
        ).body.key,
      );
    const engineerKey = await made("engineer");
    const metricsKey = await made("metrics");
    expect((await call(url, "GET", "/api/keys", { bearer: engineerKey })).status).toBe(200);

    const socket = await connect(url, { extraHeaders: { cookie } });
    const reason = new Promise<string>((done) => socket.once("disconnect", (r) => done(r)));

    const res = await setRole(engineer.id, { role: "marketer" }, { cookie: adminCookie });
    expect(res).toMatchObject({ status: 200, body: { changed: true, keysStopped: 1 } });
    expect(await reason).toBe("io server disconnect");
    // The engineer key would outrank its creator now: refused. The metrics key is below both.
    expect((await call(url, "GET", "/api/keys", { bearer: engineerKey })).status).toBe(401);
    // (403, not 401: the key is still let in, as the metrics role it always had.)
    expect((await call(url, "GET", "/api/me", { bearer: metricsKey })).status).toBe(403);
    // The cookie still works, as a marketer, and a new socket is let in with the new role.
    expect((await me(cookie)).role).toBe("marketer");
    expect((await call(url, "GET", "/api/keys", { cookie })).status).toBe(403);
    await expect(connect(url, { extraHeaders: { cookie } })).resolves.toBeDefined();
  });

  it("audits adding and disabling an operator with the change", async () => {
    const email = `audited-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const made = await call(url, "POST", "/api/operators", {
      cookie: adminCookie,
      body: { email, role: "marketer" },
    });
    expect(made.status).toBe(201);
    const id = String(made.body.id);
    expect(
      (await call(url, "DELETE", `/api/operators/${id}`, { cookie: adminCookie })).status,
    ).toBe(200);
    const rows = await db
      .knex("audit_log")
      .where({ subject_type: "operator", subject_id: id })
      .orderBy("id")
      .select("action", "details");
    expect(rows.map((r: { action: string }) => r.action)).toEqual([
      "operator.create",
      "operator.disable",
    ]);
    const details = rows.map((r: { details: unknown }) =>
      typeof r.details === "string" ? JSON.parse(r.details) : r.details,
    );
    expect(details).toEqual([
      { email, role: "marketer" },
      { email, role: "marketer" },
    ]);
    // A second disable changes nothing and records nothing.
    expect(
      (await call(url, "DELETE", `/api/operators/${id}`, { cookie: adminCookie })).status,
    ).toBe(404);
    const n = await db
      .knex("audit_log")
      .where({ subject_type: "operator", subject_id: id })
      .count("* as n");
    expect(Number(n[0]?.n)).toBe(2);
  });

  it("two admins demoted at once: one change passes, the other finds the last admin", async () => {
    const { key } = await createApiKey(db.knex, "secret", "cli-race", null, "admin");
    const admins = (await db
      .knex("operators")
      .where({ role: "admin" })
      .whereNull("disabled_at")
      .select("id")) as { id: number | string }[];
    // Leave exactly two: the test's admin and one other.
    const others = admins.map((a) => Number(a.id)).filter((id) => id !== admin.id);
    for (const id of others.slice(1))
      await db.knex("operators").where({ id }).update({ role: "engineer" });
    const other = others[0] ?? (await createOperator(db.knex, "admin")).id;
    const answers = await Promise.all(
      [admin.id, other].map((id) => setRole(id, { role: "engineer" }, { bearer: key })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const left = await db.knex("operators").where({ role: "admin" }).whereNull("disabled_at");
    expect(left).toHaveLength(1);
  });
});
