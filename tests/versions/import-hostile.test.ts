import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";

type Body = Record<string, unknown>;

/**
 * Hostile documents at the import and the versions routes: reserved node ids, NUL and lone
 * surrogates in any field, absurd notes and audit queries — a 4xx naming the field, nothing
 * stored, never a 500.
 */
describe.each(databaseKinds)("versions API under hostile input on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const call = (method: string, path: string, body?: unknown) => app.call<Body>(method, path, body);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("refuses documents whose node ids are __proto__ or constructor, naming each node", async () => {
    // The pure diff handles such ids (tests/versions/diff.test.ts); a journey may not hold them.
    const hostile = {
      format: "waymark/journey@1",
      id: "hostile",
      name: "Hostile",
      nodes: [
        { id: "__proto__", type: "trigger", trigger: { kind: "event", event: "x" } },
        { id: "constructor", type: "exit" },
      ],
      edges: [{ from: "__proto__", to: "constructor" }],
    };
    const r = await call("POST", "/api/journeys/import", hostile);
    expect(r.status).toBe(422);
    const issues = (r.body.error as { details: { code: string; nodeId?: string }[] }).details;
    expect(issues.filter((i) => i.code === "reserved_name").map((i) => i.nodeId)).toEqual(
      expect.arrayContaining(["__proto__", "constructor"]),
    );
    expect((await call("GET", "/api/journeys/hostile")).status).toBe(404);
    expect(({} as Body).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it("answers NUL, lone surrogates and absurd values with a 4xx naming the field, never a 500", async () => {
    for (const [name, path] of [
      ["a\u0000b", "name"],
      ["a\ud800b", "name"],
    ] as const) {
      const r = await call("POST", "/api/journeys/import", { ...cartReminder("text"), name });
      expect([r.status, (r.body.error as { message: string }).message]).toEqual([
        400,
        `body.${path}: holds a NUL character or a lone surrogate`,
      ]);
    }
    const nested = { ...cartReminder("text"), settings: { testList: ["ok", "x\udc00"] } };
    const r = await call("POST", "/api/journeys/import", nested);
    expect((r.body.error as { details: { path: unknown }[] }).details[0]?.path).toBe(
      "settings.testList.1",
    );
    expect((await call("GET", "/api/journeys/text")).status).toBe(404);

    await call("POST", "/api/journeys", cartReminder("noted"));
    for (const note of ["x\u0000y", "x\ud800y", "n".repeat(501), 42])
      expect((await call("POST", "/api/journeys/noted/publish", { note })).status).toBe(400);
    expect((await call("GET", "/api/journeys/noted/versions")).body.versions).toEqual([]);
    for (const q of ["action=a%00b", "subjectId=%00", "limit=201", "before=-1", "limit=1e400"])
      expect([q, (await call("GET", `/api/audit?${q}`)).status]).toEqual([q, 400]);
    expect((await call("GET", "/api/journeys/noted/audit?before=0")).status).toBe(400);
  });
});
