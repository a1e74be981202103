import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../server/auth/passwords.ts";
import { type AccessRole, KEY_ROLES, ROLES, type Role } from "../../server/auth/sessions.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { apiRoutes } from "../../server/routes/index.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

/**
 * Every API route, enumerated from the route table itself (not a hand-kept list), must refuse
 * anonymous callers with 401 and callers of a role it does not allow with 403 — operators and
 * secret keys of every role alike — and must answer malformed or oversized bodies with a 4xx
 * JSON error, never a 500.
 */
describe("every API route's access rules", () => {
  let db: TestDatabase;
  let app: TestApp;
  const cookies = new Map<Role, string>();
  /** One secret key per key role, made by an admin operator (a real principal, not id 0). */
  const keys = new Map<AccessRole, string>();
  /** Operators of every role still on their one-time password. */
  const pending = new Map<Role, string>();
  const routes = () =>
    apiRoutes({
      knex: db.knex,
      crypto: app.crypto,
      live: liveJourneyCache(db.knex),
      policy: policyCache(db.knex, "UTC"),
      delivery: loadDeliveryConfig({}),
      now: () => new Date(),
      metrics: createMetrics(db.knex),
      log: createLogger("silent"),
    });
  const url = (path: string) => app.url + path.replace(":id", "cart-test").replace(":version", "1");

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"), {}, { metrics: true });
    const hash = await hashPassword("correct horse battery");
    for (const role of ROLES) {
      await db
        .knex("operators")
        .insert({ email: `${role}@example.com`, role, password_hash: hash });
      const res = await fetch(`${app.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `${role}@example.com`, password: "correct horse battery" }),
      });
      cookies.set(role, (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "");
      await db.knex("operators").insert({
        email: `${role}-otp@example.com`,
        role,
        password_hash: hash,
        must_change_password: true,
      });
      const otp = await fetch(`${app.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          email: `${role}-otp@example.com`,
          password: "correct horse battery",
        }),
      });
      pending.set(role, (otp.headers.get("set-cookie") ?? "").split(";")[0] ?? "");
    }
    const creator = (await db.knex("operators").where({ email: "admin@example.com" }).first("id"))
      .id as number;
    for (const role of KEY_ROLES) {
      keys.set(role, (await createApiKey(db.knex, "secret", `${role} key`, creator, role)).key);
    }
    await fetch(`${app.url}/api/journeys`, {
      method: "POST",
      headers: { cookie: cookies.get("marketer") ?? "", "content-type": "application/json" },
      body: JSON.stringify(cartReminder()),
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("lists a non-trivial route table", () => {
    expect(routes().length).toBeGreaterThanOrEqual(20);
  });

  it("refuses every route without credentials (401) and with a bad key (401)", async () => {
    for (const r of routes()) {
      const anon = await fetch(url(r.path), {
        method: r.method.toUpperCase(),
        headers: { "content-type": "application/json" },
        body: r.method === "get" ? null : "{}",
      });
      expect([r.method, r.path, anon.status]).toEqual([r.method, r.path, 401]);
      const body = (await anon.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthenticated");
      const badKey = await fetch(url(r.path), {
        method: r.method.toUpperCase(),
        headers: { authorization: "Bearer sk_not_a_key" },
      });
      expect([r.path, badKey.status]).toEqual([r.path, 401]);
    }
  });

  it("refuses every role-restricted route to the roles it does not allow (403)", async () => {
    let checked = 0;
    for (const r of routes()) {
      if (r.access === "any" || r.access === "public") continue;
      const allowed = r.access;
      for (const role of ROLES) {
        if (role === "admin" || allowed.includes(role)) continue;
        const res = await fetch(url(r.path), {
          method: r.method.toUpperCase(),
          headers: { cookie: cookies.get(role) ?? "", "content-type": "application/json" },
          body: r.method === "get" ? null : "{}",
        });
        expect([r.method, r.path, role, res.status]).toEqual([r.method, r.path, role, 403]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("gives a secret key of each role exactly that role's access on every route", async () => {
    let refused = 0;
    let allowed = 0;
    for (const r of routes()) {
      if (r.access === "public") continue;
      for (const role of KEY_ROLES) {
        const res = await fetch(url(r.path), {
          method: r.method.toUpperCase(),
          headers: {
            authorization: `Bearer ${keys.get(role)}`,
            "content-type": "application/json",
          },
          body: r.method === "get" ? null : "{}",
        });
        // The route table's rule: admins everywhere, `any` is every operator role (not metrics).
        const may =
          role === "admin" || (r.access === "any" ? role !== "metrics" : r.access.includes(role));
        if (may) {
          // Allowed: whatever the route answers (200, 400 for the empty body, 409), not 401/403.
          expect([r.method, r.path, role, [401, 403].includes(res.status)]).toEqual([
            r.method,
            r.path,
            role,
            false,
          ]);
          allowed++;
        } else {
          expect([r.method, r.path, role, res.status]).toEqual([r.method, r.path, role, 403]);
          refused++;
        }
      }
    }
    // The metrics key is refused everywhere but /metrics; others as their operator role.
    expect(refused).toBeGreaterThan(routes().length);
    expect(allowed).toBeGreaterThan(routes().length);
  });

  it("lets an operator on a one-time password do nothing but change it", async () => {
    for (const role of ROLES) {
      const cookie = pending.get(role) ?? "";
      for (const r of routes()) {
        if (r.access === "public" || r.beforePasswordChange) continue;
        const res = await fetch(url(r.path), {
          method: r.method.toUpperCase(),
          headers: { cookie, "content-type": "application/json" },
          body: r.method === "get" ? null : "{}",
        });
        expect([r.method, r.path, role, res.status]).toEqual([r.method, r.path, role, 403]);
      }
      const me = await fetch(`${app.url}/api/me`, { headers: { cookie } });
      expect(((await me.json()) as { operator: { mustChangePassword: boolean } }).operator).toEqual(
        expect.objectContaining({ mustChangePassword: true }),
      );
    }
    expect(
      routes()
        .filter((r) => r.beforePasswordChange)
        .map((r) => r.path),
    ).toEqual(["/api/me/password"]);
  });

  it("answers malformed, oversized and random bodies with 4xx JSON on every writing route", async () => {
    const admin = cookies.get("admin") ?? "";
    const writing = routes().filter((r) => r.method !== "get" && r.method !== "delete");
    for (const r of writing) {
      const malformed = await fetch(url(r.path), {
        method: r.method.toUpperCase(),
        headers: { cookie: admin, "content-type": "application/json" },
        body: "{nope",
      });
      expect([r.path, malformed.status]).toEqual([r.path, 400]);
      const huge = await fetch(url(r.path), {
        method: r.method.toUpperCase(),
        headers: { cookie: admin, "content-type": "application/json" },
        body: JSON.stringify({ x: "y".repeat(1_100_000) }),
      });
      expect([r.path, huge.status]).toEqual([r.path, 413]);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writing),
        fc.jsonValue({ maxDepth: 3 }),
        async (r, payload) => {
          // publish/pause/resume/enroll may legitimately succeed or conflict; none may crash.
          const res = await fetch(url(r.path), {
            method: r.method.toUpperCase(),
            headers: { cookie: admin, "content-type": "application/json" },
            body: JSON.stringify(payload),
          });
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as Record<string, unknown>;
          if (res.status >= 400)
            expect(body.error).toMatchObject({
              code: expect.any(String),
              message: expect.any(String),
            });
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
});
