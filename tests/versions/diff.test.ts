import { describe, expect, it } from "vitest";
import * as clientDiff from "../../client/src/editor/diff.ts";
import { changesLabel, diffJourneys, isEmptyDiff } from "../../engine/diff/diff.ts";
import { fieldChanges } from "../../engine/diff/fields.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { cartReminder } from "../helpers/journeys.ts";

const base = (): Journey => {
  const parsed = parseJourney(cartReminder("d"));
  if (!parsed.ok) throw new Error("fixture does not parse");
  return parsed.journey;
};

const withNode = (j: Journey, id: string, update: (n: Journey["nodes"][number]) => unknown) => ({
  ...j,
  nodes: j.nodes.map((n) => (n.id === id ? (update(n) as Journey["nodes"][number]) : n)),
});

describe("the journey diff (engine/diff)", () => {
  it("is the one module: the editor re-exports the engine's functions", () => {
    expect(clientDiff.diffJourneys).toBe(diffJourneys);
    expect(clientDiff.isEmptyDiff).toBe(isEmptyDiff);
  });

  it("finds nothing between equal documents, whatever the key order or node positions", () => {
    const a = base();
    const shuffled = JSON.parse(
      JSON.stringify(a, (_k, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).reverse())
          : v,
      ),
    ) as Journey;
    expect(isEmptyDiff(diffJourneys(a, shuffled))).toBe(true);
    const moved = withNode(a, "wait1", (n) => ({ ...n, position: { x: 400, y: 80 } }));
    const d = diffJourneys(a, moved);
    expect(d.summary).toMatchObject({ changes: 0, moved: 1 });
    expect(d.nodes).toEqual([]);
  });

  it("counts a new step with its connections as one change, a rewired connection by its edges", () => {
    const a = base();
    const b: Journey = {
      ...a,
      nodes: [
        ...a.nodes,
        { id: "wait2", type: "wait", wait: { kind: "duration", duration: "P1D" } },
      ],
      edges: [
        ...a.edges.filter((e) => !(e.from === "sms2" && e.to === "done")),
        { from: "sms2", to: "wait2" },
        { from: "wait2", to: "done" },
      ],
    };
    const d = diffJourneys(a, b);
    expect(d.nodes.map((n) => [n.change, n.nodeId])).toEqual([["added", "wait2"]]);
    expect(d.edges).toEqual({
      added: [
        { from: "sms2", to: "wait2" },
        { from: "wait2", to: "done" },
      ],
      removed: [{ from: "sms2", to: "done" }],
    });
    // The added node (its two edges come with it) and the removed sms2 → done connection.
    expect(d.summary).toMatchObject({ added: 1, edgesAdded: 2, edgesRemoved: 1, changes: 2 });
    expect(changesLabel(d.summary.changes)).toBe("2 changes");
    expect(changesLabel(1)).toBe("1 change");

    const back = diffJourneys(b, a);
    expect(back.nodes).toEqual([
      { change: "removed", nodeId: "wait2", type: "wait", node: b.nodes.at(-1) },
    ]);
  });

  it("lists changed fields by path, template text by words, settings and name at document level", () => {
    const a = base();
    let b = withNode(a, "sms1", (n) => ({
      ...n,
      send: {
        channel: "sms",
        category: "transactional",
        template:
          "Hi {{ user.firstName }}, your basket is still waiting: {{ 'https://shop.example/cart' | track }}",
      },
    }));
    b = {
      ...b,
      name: "Cart reminder v2",
      settings: { ...b.settings, quietHours: { start: "09:00", end: "20:00" } },
    };
    const d = diffJourneys(a, b);
    expect(d.summary).toMatchObject({ changed: 1, journey: 2, changes: 3 });
    const [sms] = d.nodes;
    if (sms?.change !== "changed") throw new Error("sms1 should have changed");
    expect(sms.fields.map((f) => [f.path.join("."), f.change])).toEqual([
      ["send.category", "changed"],
      ["send.template", "changed"],
    ]);
    expect(sms.fields[0]).toMatchObject({ before: "promotional", after: "transactional" });
    expect(sms.fields[1]?.words).toEqual([
      { op: "same", text: "Hi {{ user.firstName }}, your " },
      { op: "removed", text: "cart" },
      { op: "added", text: "basket" },
      { op: "same", text: " is " },
      { op: "added", text: "still " },
      { op: "same", text: "waiting: {{ 'https://shop.example/cart' | track }}" },
    ]);
    expect(d.journey.map((f) => [f.path.join("."), f.change])).toEqual([
      ["name", "changed"],
      ["settings.quietHours", "added"],
    ]);
  });

  it("diffs Chinese templates word by word without a locale (the same JSON in Node and Chromium)", () => {
    const a = withNode(base(), "sms2", (n) => ({
      ...n,
      send: { channel: "sms", category: "promotional", template: "您的优惠券即将过期" },
    }));
    const b = withNode(a, "sms2", (n) => ({
      ...n,
      send: { channel: "sms", category: "promotional", template: "您的新优惠券明天过期" },
    }));
    const [sms] = diffJourneys(a, b).nodes;
    if (sms?.change !== "changed") throw new Error("sms2 should have changed");
    const words = sms.fields[0]?.words ?? [];
    expect(words.filter((w) => w.op === "added").map((w) => w.text)).toEqual(["新", "明天"]);
    expect(words.filter((w) => w.op === "removed").map((w) => w.text)).toEqual(["即将"]);
  });

  it("bounds the word diff: a template rewritten from scratch keeps before/after, fast", () => {
    const words = (seed: string) =>
      Array.from({ length: 2500 }, (_, i) => `${seed}${(i * 7919) % 1000}`).join(" ");
    const t0 = performance.now();
    const changes = fieldChanges({ template: words("a") }, { template: words("b") });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.words).toBeUndefined();
    expect(changes[0]?.before).toBe(words("a"));
  });

  it("treats __proto__ and constructor as plain names and survives deep nesting", () => {
    const a = JSON.parse(
      '{"__proto__": {"polluted": 1}, "constructor": {"prototype": 2}, "x": {"__proto__": 1}}',
    ) as Record<string, unknown>;
    const b = JSON.parse(
      '{"__proto__": {"polluted": 2}, "constructor": {"prototype": 2}, "x": {"__proto__": 3}}',
    ) as Record<string, unknown>;
    const changes = fieldChanges(a, b);
    expect(changes.map((c) => c.path)).toEqual([
      ["__proto__", "polluted"],
      ["x", "__proto__"],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    let deep: Record<string, unknown> = { leaf: 1 };
    let deeper: Record<string, unknown> = { leaf: 2 };
    for (let i = 0; i < 3000; i++) {
      deep = { next: deep };
      deeper = { next: deeper };
    }
    const nested = fieldChanges(deep, deeper);
    expect(nested).toHaveLength(1);
    expect(nested[0]?.path.length).toBe(16);

    const j = base();
    const proto: Journey = {
      ...j,
      nodes: [...j.nodes, { id: "__proto__", type: "exit" }],
    };
    const d = diffJourneys(j, proto);
    expect(d.nodes.map((n) => n.nodeId)).toEqual(["__proto__"]);
    expect(diffJourneys(proto, proto).summary.changes).toBe(0);
  });

  it("diffs two 300-node journeys in well under a second", () => {
    const big = (template: string): Journey => ({
      format: "waymark/journey@1",
      id: "big",
      name: "Big",
      nodes: Array.from({ length: 300 }, (_, i) => ({
        id: `s${i}`,
        type: "send" as const,
        send: {
          channel: "sms" as const,
          category: "promotional" as const,
          template: `${template} ${i}`,
        },
      })),
      edges: Array.from({ length: 299 }, (_, i) => ({ from: `s${i}`, to: `s${i + 1}` })),
    });
    const t0 = performance.now();
    const d = diffJourneys(big("Hello there"), big("Hello over there"));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(d.summary.changed).toBe(300);
  });
});
