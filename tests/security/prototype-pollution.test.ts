import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { lineJourney, prototypes, type SecurityApp, smsNode, startSecurityApp } from "./harness.ts";

/**
 * Issue #14 items 1 and 2, replayed against the real server: a support operator's validation
 * request, a stored draft, a simulation and a stats page once polluted Object.prototype and
 * killed the process. Each test asserts the prototypes are exactly as they were and the server
 * still answers; the fuzz over every route is in prototype-fuzz.test.ts.
 */
describe.each(databaseKinds)("prototype pollution replays on %s", (kind) => {
  let s: SecurityApp;
  const clean = prototypes();

  beforeAll(async () => {
    s = await startSecurityApp(kind);
    expect((await s.as("marketer")("POST", "/api/journeys", cartReminder())).status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(async () => {
    expect(prototypes()).toEqual(clean);
    expect(({} as Record<string, unknown>).wmpolluted).toBeUndefined();
    // Still serving, and knex's where({...}) still builds the SQL it should.
    expect((await s.as("support")("GET", "/api/journeys/cart-test")).status).toBe(200);
  });

  const polluting = (id: string) =>
    lineJourney(id, [smsNode("s", "Hi {{ user.__proto__.wmpolluted }}")]);

  it("item 1: support validating a template that reads user.__proto__ gets an issue, not a polluted process", async () => {
    const res = await s.as("support")(
      "POST",
      "/api/journeys/anything/validate",
      polluting("anything"),
    );
    expect(res.status).toBe(200);
    expect(res.body.issues).toEqual([
      expect.objectContaining({ code: "reserved_name", nodeId: "s", severity: "error" }),
    ]);
    for (const template of [
      "{{ user.constructor.prototype.wmpolluted }}",
      '{{ user["__proto__"]["wmpolluted"] }}',
      "{{ event.prototype.x }}",
    ]) {
      const doc = lineJourney("anything", [smsNode("s", template)]);
      const again = await s.as("support")("POST", "/api/journeys/anything/validate", doc);
      expect(again.body.issues).toEqual([expect.objectContaining({ code: "reserved_name" })]);
    }
  });

  it("item 1: a draft holding the template is re-validated on every GET, simulated and previewed without harm", async () => {
    const marketer = s.as("marketer");
    const support = s.as("support");
    expect((await marketer("POST", "/api/journeys", polluting("poison"))).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const got = await support("GET", "/api/journeys/poison");
      expect(got.status).toBe(200);
      expect(got.body.issues).toEqual([expect.objectContaining({ code: "reserved_name" })]);
    }
    const sim = await support("POST", "/api/simulate", {
      journeyId: "poison",
      events: [{ name: "go", at: "2026-03-02T03:00:00Z" }],
    });
    expect(sim.status).toBe(422);
    const preview = await support("POST", "/api/journeys/poison/preview", { nodeId: "s" });
    expect(preview.status).toBe(200);
    expect(preview.body.text).toMatch(/^Hi\s/);
  });

  it("item 1: /api/simulate with the document itself is refused with the issue", async () => {
    const res = await s.as("support")("POST", "/api/simulate", {
      journey: polluting("sim"),
      events: [{ name: "go", at: "2026-03-02T03:00:00Z" }],
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("reserved_name");
  });

  it("item 2: __proto__, constructor and prototype are refused as node ids and journey ids, naming the field", async () => {
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const doc = lineJourney(`ids-${name.replace(/_/g, "")}`, [
        { id: name, type: "wait", wait: { kind: "duration", duration: "PT1H" } },
      ]);
      const created = await s.as("marketer")("POST", "/api/journeys", doc);
      expect(created.status).toBe(422);
      const details = (created.body.error as { details: { code: string; path: unknown[] }[] })
        .details;
      expect(details).toContainEqual(
        expect.objectContaining({ code: "reserved_name", path: ["nodes", 1, "id"] }),
      );
      const asJourneyId = await s.as("marketer")("POST", "/api/journeys", {
        ...lineJourney(name, []),
      });
      expect(asJourneyId.status).toBe(422);
      expect(JSON.stringify(asJourneyId.body)).toContain("reserved_name");
    }
  });

  it("item 2: stats over log lines, enrollments and messages at nodes named __proto__, constructor and toString answer as data", async () => {
    // Rows as a journey published before ids were checked would have left them.
    const knex = s.db.knex;
    await knex("journeys").insert({ id: "legacy", name: "Legacy", status: "live" });
    const [contact] = (await knex("contacts")
      .insert({ external_id: "legacy-user" })
      .returning("id")) as { id: string | number }[];
    const names = ["__proto__", "constructor", "toString"];
    for (const node of names) {
      await knex("enrollment_log").insert([
        {
          journey_id: "legacy",
          contact_id: contact?.id,
          node_id: node,
          type: "entered",
          at: new Date(),
          detail: "",
        },
        {
          journey_id: "legacy",
          contact_id: contact?.id,
          node_id: node,
          type: "suppressed",
          reason: "__proto__",
          at: new Date(),
          detail: "",
        },
      ]);
    }
    const res = await s.as("support")("GET", "/api/journeys/legacy/stats");
    expect(res.status).toBe(200);
    const nodes = JSON.parse(res.text).nodes as Record<string, { entered: number }>;
    for (const node of names) {
      const own = Object.getOwnPropertyDescriptor(nodes, node)?.value as {
        entered: number;
        suppressed: Record<string, number>;
      };
      expect(own.entered).toBe(1);
      expect(Object.getOwnPropertyDescriptor(own.suppressed, "__proto__")?.value).toBe(1);
    }
    expect((res.body.total as { entered: number }).entered).toBe(3);
    // The editor fetches stats on open: every viewer, again and again.
    for (let i = 0; i < 3; i++)
      expect((await s.as("marketer")("GET", "/api/journeys/legacy/stats")).status).toBe(200);
  });
});
