import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Journey,
  type JourneyNode,
  type SimEvent,
  simulateMany,
  validate,
} from "../../engine/index.ts";
import { DEFAULT_POLICY } from "../../engine/rules/index.ts";
import { localParts } from "../../engine/time/index.ts";
import { at, DAY } from "./helpers.ts";

const ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Sydney"];
const DURATIONS = ["PT30M", "PT2H", "PT20H", "P1D", "P3D"];
const EVENTS = [
  "go",
  "purchased",
  "message.clicked",
  "message.delivered",
  "message.replied",
  "browsed",
];

/**
 * A random valid journey: a tree grown from a trigger, reading choices from `seed` so
 * fast-check can shrink it. Every leaf is an exit; engagement branches only watch sends above
 * them, so `validate` accepts every journey generated (asserted below).
 */
function buildJourney(seed: readonly number[], settings: Journey["settings"]): Journey {
  let i = 0;
  const next = (n: number) => (seed[i++ % seed.length] ?? 0) % n;
  const nodes: JourneyNode[] = [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } },
  ];
  const edges: Journey["edges"] = [];
  let count = 0;
  const grow = (from: string, path: string | undefined, depth: number, sends: string[]) => {
    const id = `n${++count}`;
    edges.push(path === undefined ? { from, to: id } : { from, to: id, path });
    const kind = depth >= 6 || count > 30 ? 0 : next(9);
    switch (kind) {
      case 0:
        nodes.push({ id, type: "exit" });
        return;
      case 1:
        nodes.push({
          id,
          type: "wait",
          wait: { kind: "duration", duration: DURATIONS[next(DURATIONS.length)] ?? "PT1H" },
        });
        return grow(id, undefined, depth + 1, sends);
      case 2:
        nodes.push({
          id,
          type: "wait",
          wait: { kind: "time_of_day", time: `${String(next(24)).padStart(2, "0")}:00` },
        });
        return grow(id, undefined, depth + 1, sends);
      case 3:
      case 4: {
        const category = next(4) === 0 ? "transactional" : "promotional";
        nodes.push({
          id,
          type: "send",
          send: { channel: "sms", category, template: `Msg ${id} {{ user.firstName }}` },
        });
        return grow(id, undefined, depth + 1, [...sends, id]);
      }
      case 5:
        nodes.push({
          id,
          type: "branch",
          branch: {
            kind: "event",
            event: EVENTS[next(EVENTS.length)] ?? "go",
            within: DURATIONS[next(DURATIONS.length)] ?? "P1D",
          },
        });
        grow(id, "yes", depth + 1, sends);
        return grow(id, "no", depth + 1, sends);
      case 6: {
        const target = sends[next(Math.max(1, sends.length))];
        if (target === undefined) {
          nodes.push({
            id,
            type: "branch",
            branch: { kind: "condition", conditions: [{ field: "vip", op: "eq", value: true }] },
          });
        } else {
          const signal = (["opened", "clicked", "delivered"] as const)[next(3)] ?? "opened";
          nodes.push({
            id,
            type: "branch",
            branch: { kind: "engagement", node: target, signal, within: "P2D" },
          });
        }
        grow(id, "yes", depth + 1, sends);
        return grow(id, "no", depth + 1, sends);
      }
      case 7:
        nodes.push({
          id,
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 30 },
              { name: "b", percent: 70 },
            ],
          },
        });
        grow(id, "a", depth + 1, sends);
        return grow(id, "b", depth + 1, sends);
      default:
        nodes.push({
          id,
          type: "cooldown",
          cooldown: { duration: "P2D", scope: next(2) === 0 ? "promotional" : "all" },
        });
        return grow(id, undefined, depth + 1, sends);
    }
  };
  grow("start", undefined, 0, []);
  const j: Journey = {
    format: "waymark/journey@1",
    id: `rand${seed.length}`,
    name: "random",
    nodes,
    edges,
  };
  if (settings) j.settings = settings;
  return j;
}

const T0 = at("2025-03-01T00:00:00Z");
const UNTIL = T0 + 45 * DAY;

const scenario = fc.record({
  seeds: fc.array(fc.array(fc.nat(1000), { minLength: 5, maxLength: 40 }), {
    minLength: 1,
    maxLength: 2,
  }),
  exitOn: fc.boolean(),
  zone: fc.constantFrom(...ZONES),
  events: fc.array(
    fc.record({
      minute: fc.nat(40 * 24 * 60),
      name: fc.constantFrom(...EVENTS),
      body: fc.constantFrom("TD", "thanks", "STOP", "ok"),
    }),
    { maxLength: 25 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

function run(s: Scenario) {
  const settings: Journey["settings"] = {
    reentry: { mode: "always" },
    goal: { event: "purchased", within: "P7D" },
    ...(s.exitOn ? { exitOn: [{ event: "purchased" }] } : {}),
  };
  const journeys = s.seeds.map((seed, k) => ({ ...buildJourney(seed, settings), id: `j${k}` }));
  const events: SimEvent[] = [
    { at: T0 + 60_000, name: "go" },
    ...s.events.map((e) => ({
      at: T0 + e.minute * 60_000,
      name: e.name,
      ...(e.name === "message.replied" ? { properties: { body: e.body } } : {}),
    })),
  ];
  const contact = {
    id: "c1",
    timezone: s.zone,
    attributes: { firstName: "Ann" },
    consent: { sms: { promotional: true } },
  };
  return {
    journeys,
    result: simulateMany(journeys, contact, events, {
      from: T0,
      until: UNTIL,
      policy: DEFAULT_POLICY,
    }),
  };
}

describe("simulation properties (fast-check)", () => {
  it("random journeys are valid; simulations terminate and respect quiet hours, caps and opt-outs; deterministic", () => {
    let sent = 0;
    let optedOut = 0;
    let deferred = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { journeys, result } = run(s);
        sent += result.contact.recentSends.length;
        if (result.contact.optOuts.length > 0) optedOut++;
        deferred += result.timeline.filter((e) => e.type === "deferred").length;
        for (const j of journeys)
          expect(validate(j).filter((i) => i.severity === "error")).toEqual([]);
        expect(result.issues).toEqual([]);
        const sends = result.contact.recentSends;
        const promo = sends.filter((x) => x.category === "promotional" && x.channel === "sms");
        for (const x of promo) {
          const hour = localParts(x.at, s.zone).hour;
          expect(hour >= 8 && hour < 21, `promotional send at local ${hour}:00`).toBe(true);
          const window = promo.filter((y) => y.at <= x.at && y.at > x.at - 29 * DAY);
          expect(window.length).toBeLessThanOrEqual(4);
        }
        const optOut = result.contact.optOuts.reduce(
          (m, o) => Math.min(m, o.at),
          Number.POSITIVE_INFINITY,
        );
        for (const x of sends) expect(x.at <= optOut, "send after opt-out").toBe(true);
        expect(run(s).result).toEqual(result);
      }),
      { numRuns: 150 },
    );
    // The generator must exercise the rules, not vacuously pass.
    expect(sent).toBeGreaterThan(50);
    expect(optedOut).toBeGreaterThan(5);
    expect(deferred).toBeGreaterThan(5);
  });
});

describe("validation vs execution (fast-check)", () => {
  const NODE_POOL: JourneyNode[] = [
    { id: "w", type: "wait", wait: { kind: "duration", duration: "PT5H" } },
    { id: "s", type: "send", send: { channel: "sms", category: "promotional", template: "Hi" } },
    {
      id: "t",
      type: "send",
      send: { channel: "sms", category: "transactional", template: "Receipt" },
    },
    { id: "b", type: "branch", branch: { kind: "event", event: "purchased", within: "P1D" } },
    {
      id: "c",
      type: "branch",
      branch: { kind: "condition", conditions: [{ field: "vip", op: "eq", value: true }] },
    },
    { id: "k", type: "cooldown", cooldown: { duration: "P1D", scope: "all" } },
    { id: "x", type: "exit" },
  ];
  const targets = ["start", ...NODE_POOL.map((n) => n.id), "ghost", null];
  const target = fc.constantFrom(...targets);

  it("random graphs (cycles, dangling edges, dead ends) never crash validate; error-free ones always finish", () => {
    let clean = 0;
    let dirty = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(target, target), {
          minLength: NODE_POOL.length + 1,
          maxLength: NODE_POOL.length + 1,
        }),
        fc.boolean(),
        (outs, vip) => {
          const nodes: JourneyNode[] = [
            { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } },
            ...NODE_POOL,
          ];
          const edges: Journey["edges"] = [];
          nodes.forEach((n, k) => {
            const [a, b] = outs[k] ?? [null, null];
            if (n.type === "branch") {
              if (a !== null) edges.push({ from: n.id, to: a, path: "yes" });
              if (b !== null) edges.push({ from: n.id, to: b, path: "no" });
            } else if (n.type !== "exit" && a !== null) edges.push({ from: n.id, to: a });
          });
          const j: Journey = { format: "waymark/journey@1", id: "g", name: "g", nodes, edges };
          const issues = validate(j);
          if (issues.some((i) => i.severity === "error")) {
            dirty++;
            return;
          }
          clean++;
          const events: SimEvent[] = [
            { at: T0, name: "go" },
            { at: T0 + 3 * 3_600_000, name: "purchased" },
          ];
          const r = simulateMany([j], { id: "c1", attributes: { vip } }, events, {
            from: T0,
            until: T0 + 30 * DAY,
          });
          expect(r.issues).toEqual([]);
          expect(r.timeline.some((e) => e.type === "exited" && e.reason === "loop_guard")).toBe(
            false,
          );
        },
      ),
      { numRuns: 2000 },
    );
    expect(clean).toBeGreaterThan(20);
    expect(dirty).toBeGreaterThan(20);
  });
});
