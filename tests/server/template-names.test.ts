import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryEventOf } from "../../engine/nodes/registry.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Issue #16 item 4: `{{ user.fristName }}` passed with "NO ISSUES" and sent "Hi , sale today".
 * The server checks templates against the attribute names its contacts have and the property
 * names of the trigger's event (server/contacts/sql/template-names.ts), as warnings on the node.
 */
const journey = (template: string) => ({
  format: "waymark/journey@1",
  id: "names",
  name: "Names",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "promo_ready" } },
    { id: "sms1", type: "send", send: { channel: "sms", category: "promotional", template } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
});

describe("the trigger's event of a draft as typed (whose event.* names are checked)", () => {
  it("is what the entry node's definition names, and nothing for a node that does not parse", () => {
    const doc = journey("Hi");
    expect(entryEventOf(doc)).toBe("promo_ready");
    const withTrigger = (trigger: unknown) => ({
      ...doc,
      nodes: [{ id: "start", type: "trigger", trigger }, ...doc.nodes.slice(1)],
    });
    expect(entryEventOf(withTrigger({ kind: "api" }))).toBeNull();
    expect(entryEventOf(withTrigger({ kind: "event", event: "" }))).toBeNull();
    expect(entryEventOf(withTrigger({ kind: "event", event: "x", tpyo: 1 }))).toBeNull();
    // Only the entry node is asked: a send cannot name the journey's event.
    expect(entryEventOf({ nodes: [doc.nodes[1], { type: "nope" }, null, 7] })).toBeNull();
    for (const bad of [null, undefined, "x", { nodes: "x" }, { nodes: [] }]) {
      expect(entryEventOf(bad)).toBeNull();
    }
  });
});

type Issue = { code: string; severity: string; message: string; nodeId?: string; path: unknown[] };

describe.each(databaseKinds)("template names checked against the workspace on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  const call = (method: string, path: string, body?: unknown) => app.call(method, path, body);
  const unknownNames = (issues: unknown) =>
    (issues as Issue[]).filter((i) => i.code.startsWith("template_unknown_"));

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    for (const [userId, traits] of [
      ["n-1", { firstName: "Mei", city: "Shenzhen", email: "mei@example.com" }],
      ["n-2", { firstName: "Alex", coupon: "SAVE20", phone: "+12025550111" }],
    ] as const) {
      expect((await app.ingest("/v1/identify", { userId, traits })).status).toBe(200);
    }
    const tracked = await app.ingest("/v1/track", {
      userId: "n-1",
      event: "promo_ready",
      messageId: "names-1",
      properties: { sku: "A1", amount: 20 },
    });
    expect(tracked.status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("lists the names the editor checks against", async () => {
    const r = await call("GET", "/api/template-names?event=promo_ready");
    expect(r.status).toBe(200);
    // email and phone are columns, not attributes: templates read user.email, never user.phone.
    expect(r.body).toEqual({
      user: ["city", "coupon", "firstName"],
      events: { promo_ready: ["amount", "sku"] },
    });
    expect((await call("GET", "/api/template-names?event=never_sent")).body).toEqual({
      user: ["city", "coupon", "firstName"],
    });
  });

  it("refuses hostile event names with a 400 naming the field", async () => {
    for (const bad of ["%00", "__proto__", "x".repeat(129)]) {
      const r = await call("GET", `/api/template-names?event=${bad}`);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain("event");
    }
  });

  it("warns on a misspelt attribute and event property, with what was meant", async () => {
    const created = await call(
      "POST",
      "/api/journeys",
      journey("Hi {{ user.fristName }}, sale today on {{ event.skuu }}"),
    );
    expect(created.status).toBe(201);
    const warnings = unknownNames(created.body.issues);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "template_unknown_attribute",
        severity: "warning",
        nodeId: "sms1",
        path: ["nodes", 1, "send", "template"],
      }),
      expect.objectContaining({
        code: "template_unknown_event_property",
        severity: "warning",
        nodeId: "sms1",
      }),
    ]);
    expect(warnings[0]?.message).toContain("did you mean user.firstName?");
    expect(warnings[1]?.message).toContain("did you mean event.sku?");
    // The same on reading the journey and on the validate endpoint.
    expect(unknownNames((await call("GET", "/api/journeys/names")).body.issues)).toHaveLength(2);
    expect(
      unknownNames((await call("POST", "/api/journeys/names/validate")).body.issues),
    ).toHaveLength(2);
    // A warning does not block publishing.
    expect((await call("POST", "/api/journeys/names/publish", {})).status).toBe(200);
  });

  it("a default: filter silences it, and known names pass", async () => {
    const silenced = await call(
      "PUT",
      "/api/journeys/names",
      journey('Hi {{ user.fristName | default: "there" }} {{ event.skuu | default: "" }}'),
    );
    expect(silenced.status).toBe(200);
    expect(unknownNames(silenced.body.issues)).toEqual([]);
    const known = await call(
      "PUT",
      "/api/journeys/names",
      journey(
        "Hi {{ user.firstName }} {{ user.email }} {{ user.id }}: {{ event.sku }} {{ event.amount }}",
      ),
    );
    expect(unknownNames(known.body.issues)).toEqual([]);
  });
});
