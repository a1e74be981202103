import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../helpers/databases.ts";
import { lineJourney, type SecurityApp, smsNode, startSecurityApp } from "./harness.ts";

/**
 * Issue #14 item 4, replayed: three nested `for` over a 300-character `split` held the event
 * loop for 11.6 s from a support operator's validation request. The same template, and one that
 * loops over a contact's own data (valid with sample values, over budget for this contact),
 * answer in under a second through validation, preview, simulation and the ticker, and the send
 * is suppressed with the reason `template_budget`.
 */
const ATTACK = `{% assign s = "${"x".repeat(300)}" | split: "" %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}`;
/** Fine for a sample profile; 27 million iterations for a contact with 300 items. */
const DATA_LOOP =
  "{% for a in user.items %}{% for b in user.items %}{% for c in user.items %}{% endfor %}{% endfor %}{% endfor %}Hi";
const ITEMS = Array.from({ length: 300 }, (_, i) => i);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe.each(databaseKinds)("template budgets through the server on %s", (kind) => {
  let s: SecurityApp;

  beforeAll(async () => {
    s = await startSecurityApp(kind);
    const marketer = s.as("marketer");
    // Drafts may hold errors (the editor autosaves): the attack sits in one, waiting.
    const draft = lineJourney("attack", [smsNode("s", ATTACK)]);
    expect((await marketer("POST", "/api/journeys", draft)).status).toBe(201);
    const live = lineJourney("loops", [smsNode("s", DATA_LOOP, "transactional")]);
    live.nodes[0] = { id: "start", type: "trigger", trigger: { kind: "api" } };
    const created = await marketer("POST", "/api/journeys", live);
    expect(created.body.issues).toEqual([]);
    expect((await marketer("POST", "/api/journeys/loops/publish", {})).status).toBe(200);
    await s.app.ingest("/v1/identify", {
      userId: "hoarder",
      traits: { firstName: "Ann", items: ITEMS, timezone: "UTC" },
      consent: { sms: { transactional: true } },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("validation (as support) reports template_budget on the node in < 1 s", async () => {
    const { value, ms } = await timed(() =>
      s.as("support")(
        "POST",
        "/api/journeys/attack/validate",
        lineJourney("attack", [smsNode("s", ATTACK)]),
      ),
    );
    expect(ms).toBeLessThan(1000);
    expect(value.status).toBe(200);
    expect(value.body.issues).toEqual([
      expect.objectContaining({ code: "template_budget", nodeId: "s", severity: "error" }),
    ]);
    const draft = await timed(() => s.as("support")("GET", "/api/journeys/attack"));
    expect(draft.ms).toBeLessThan(1000);
    expect(draft.value.body.issues).toEqual([expect.objectContaining({ code: "template_budget" })]);
  });

  it("preview answers 422 template_budget in < 1 s, for the attack and for a contact's data", async () => {
    const attack = await timed(() =>
      s.as("support")("POST", "/api/journeys/attack/preview", { nodeId: "s" }),
    );
    expect(attack.ms).toBeLessThan(1000);
    expect(attack.value.status).toBe(422);
    expect((attack.value.body.error as { code: string }).code).toBe("template_budget");
    const data = await timed(() =>
      s.as("support")("POST", "/api/journeys/loops/preview", { nodeId: "s", contactId: "hoarder" }),
    );
    expect(data.ms).toBeLessThan(1000);
    expect((data.value.body.error as { code: string }).code).toBe("template_budget");
  });

  it("simulation refuses the attack and suppresses the data loop with the reason, in < 1 s", async () => {
    const attack = await timed(() =>
      s.as("support")("POST", "/api/simulate", { journeyId: "attack", events: [] }),
    );
    expect(attack.ms).toBeLessThan(1000);
    expect(attack.value.status).toBe(422);
    for (const body of [
      { journeyId: "loops", contactId: "hoarder" },
      { journeyId: "loops", contact: { id: "x", attributes: { items: ITEMS } } },
    ]) {
      const sim = await timed(() => s.as("support")("POST", "/api/simulate", body));
      expect(sim.ms).toBeLessThan(1000);
      expect(sim.value.status).toBe(200);
      expect(sim.value.body.timeline).toContainEqual(
        expect.objectContaining({ type: "suppressed", nodeId: "s", reason: "template_budget" }),
      );
    }
  });

  it("the ticker suppresses the send with the reason and moves on, in < 1 s", async () => {
    const enrolled = await s.as("marketer")("POST", "/api/journeys/loops/enroll", {
      userId: "hoarder",
    });
    expect(enrolled.status).toBe(201);
    const tick = await timed(() => s.app.tick());
    expect(tick.ms).toBeLessThan(1000);
    const log = (await s.db
      .knex("enrollment_log")
      .where({ journey_id: "loops", node_id: "s" })
      .select("type", "reason", "detail")) as { type: string; reason: string; detail: string }[];
    expect(log).toEqual([
      expect.objectContaining({
        type: "suppressed",
        reason: "template_budget",
        detail: expect.stringContaining("budget exceeded"),
      }),
    ]);
    const sent = (await s.db.knex("messages").where({ journey_id: "loops" })) as unknown[];
    expect(sent).toEqual([]);
    const enrollment = (await s.db
      .knex("enrollments")
      .where({ journey_id: "loops" })
      .first("status")) as { status: string };
    expect(enrollment.status).toBe("completed");
  });
});
