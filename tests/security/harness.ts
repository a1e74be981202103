import { hashPassword } from "../../server/auth/passwords.ts";
import { ROLES, type Role } from "../../server/auth/sessions.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import type { RouteSpec } from "../../server/http/routes.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { apiRoutes } from "../../server/routes/index.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * The real app on loopback with one signed-in operator per role, for replaying attacks as the
 * role that made them. Requests carry the app's own Origin, as the console's do.
 */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** `body` as a string is sent verbatim: JSON text with `"__proto__"` keys stays as written. */
export type Caller = (method: string, path: string, body?: unknown) => Promise<Reply>;

export interface SecurityApp {
  db: TestDatabase;
  app: TestApp;
  clock: ReturnType<typeof manualClock>;
  as: (role: Role) => Caller;
  /** The route table the router is built from: every authenticated API route. */
  routes: () => RouteSpec[];
  close: () => Promise<void>;
}

export async function startSecurityApp(
  kind: "pglite" | "postgres",
  start = "2026-03-02T02:00:00Z",
): Promise<SecurityApp> {
  const db = await openTestDatabase(kind);
  const clock = manualClock(start);
  const app = await startTestApp(db, clock, {}, { metrics: true });
  const cookies = new Map<Role, string>();
  const hash = await hashPassword("correct horse battery");
  for (const role of ROLES) {
    const email = `${role}@example.com`;
    await db.knex("operators").insert({ email, role, password_hash: hash });
    const res = await fetch(`${app.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: app.url },
      body: JSON.stringify({ email, password: "correct horse battery" }),
    });
    if (res.status !== 201) throw new Error(`login as ${role}: ${res.status}`);
    cookies.set(role, (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "");
  }
  const as =
    (role: Role): Caller =>
    async (method, path, body) => {
      const res = await fetchOnce(`${app.url}${path}`, {
        method,
        headers: {
          cookie: cookies.get(role) ?? "",
          origin: app.url,
          "content-type": "application/json",
        },
        body:
          body === undefined || method === "GET"
            ? null
            : typeof body === "string"
              ? body
              : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // CSV, or an empty 204.
      }
      return { status: res.status, body: parsed, text };
    };
  return {
    db,
    app,
    clock,
    as,
    routes: () =>
      apiRoutes({
        knex: db.knex,
        crypto: app.crypto,
        live: liveJourneyCache(db.knex),
        policy: policyCache(db.knex, "UTC"),
        delivery: loadDeliveryConfig({}),
        now: clock.now,
        metrics: createMetrics(db.knex),
        log: createLogger("silent"),
      }),
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * `fetch`, tried again once when the pooled keep-alive socket it picked was already closed by
 * the server (ECONNRESET before any answer). PGlite runs on this thread: a long seed blocks
 * both the client's idle timer and the server's, and when they fire together the client may
 * have handed a request to a socket the server is closing. The server never read it.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    if (code !== "ECONNRESET") throw err;
    return fetch(url, init);
  }
}

/**
 * What prototype pollution changes: the own property names of the prototypes every object and
 * array inherits from, and whether a fresh object answers a probe name.
 */
export function prototypes(): Record<string, string[]> {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort();
  return {
    object: names(Object.prototype),
    array: names(Array.prototype),
    function: names(Function.prototype),
    string: names(String.prototype),
  };
}

/** Names that JavaScript objects treat specially, and inherited ones a lookup can hit. */
export const HOSTILE_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
] as const;

/** A journey document: a trigger, then the given nodes in a line, then an exit. */
export function lineJourney(id: string, nodes: Record<string, unknown>[], extra = {}) {
  const all = [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } },
    ...nodes,
    { id: "done", type: "exit" },
  ];
  const edges = all.slice(1).map((n, i) => ({ from: all[i]?.id, to: n.id }));
  return { format: "waymark/journey@1", id, name: `Journey ${id}`, nodes: all, edges, ...extra };
}

export const smsNode = (id: string, template: string, category = "promotional") => ({
  id,
  type: "send",
  send: { channel: "sms", category, template },
});
