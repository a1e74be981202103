import { expect, it, describe as suite } from "vitest";
import { layoutBounds } from "../../client/src/editor/layout.ts";
import { blankJourney } from "../../client/src/editor/new-journey.ts";
import { reasonsText } from "../../client/src/editor/nodes/LiveCounts.tsx";
import {
  defaultObject,
  describe,
  type Field,
  objectFields,
  switchVariant,
} from "../../client/src/editor/schema/introspect.ts";
import { defaultEvent, eventNames } from "../../client/src/editor/vocabulary.ts";
import { SettingsSchema } from "../../engine/format/journey.ts";
import { NODE_DEFINITIONS } from "../../engine/index.ts";
import { exampleJourneys } from "../../server/seed/demo.ts";

/**
 * Issue 16's canvas items that need no browser: the hover text of suppression reasons, the
 * defaults of new event fields, the rectangle auto-layout fits, and the seeded journeys' cards
 * drawn apart (tests/browser/live-counts.test.ts checks the same on the real canvas).
 */
const journey = (trigger: string, extra: Record<string, unknown> = {}) => ({
  ...blankJourney("j", "J"),
  nodes: [
    { id: "start", type: "trigger" as const, trigger: { kind: "event" as const, event: trigger } },
  ],
  ...extra,
});

function triggerField(): Extract<Field, { kind: "variant" }> {
  const def = NODE_DEFINITIONS.find((d) => d.type === "trigger");
  if (!def) throw new Error("no trigger");
  const node = describe(def.schema);
  if (node.kind !== "object") throw new Error("not an object");
  const field = node.fields.find((f) => f.key === "trigger")?.field;
  if (field?.kind !== "variant") throw new Error("trigger is not a variant");
  return field;
}

suite("suppression reasons on hover", () => {
  it("lists reasons most frequent first, ties by name, zeros left out", () => {
    expect(reasonsText({ no_consent: 3, quiet_hours: 12, cooldown: 0 })).toBe(
      "quiet_hours 12, no_consent 3",
    );
    expect(reasonsText({ b: 2, a: 2 })).toBe("a 2, b 2");
    expect(reasonsText({})).toBe("");
    // Other languages name each reason in words, with their own separator and digits.
    const words: Record<string, string> = { quiet_hours: "免打扰时段", no_consent: "未获同意" };
    expect(reasonsText({ no_consent: 3, quiet_hours: 1200 }, "zh-CN", (r) => words[r] ?? r)).toBe(
      "免打扰时段 1,200，未获同意 3",
    );
  });
});

suite("defaults of new event fields", () => {
  it("a new event trigger starts empty, never on message.delivered", () => {
    const doc = blankJourney("j", "J");
    // The suggestions of a new journey start with the engine's message events…
    expect(eventNames(doc)[0]).toMatch(/^message\./);
    // …which the trigger's default no longer takes.
    const ctx = {
      eventNames: eventNames(doc),
      sendNodeIds: [],
      defaultEvent: defaultEvent(doc, true),
    };
    expect(switchVariant(triggerField(), { kind: "api" }, "event", ctx)).toEqual({
      kind: "event",
      event: "",
    });
  });

  it("a goal or exit rule starts on a customer event other than the trigger's, else empty", () => {
    expect(defaultEvent(journey("signed_up"), false)).toBe("");
    const withGoal = journey("signed_up", {
      settings: { goal: { event: "purchased", within: "P7D" } },
    });
    expect(defaultEvent(withGoal, false)).toBe("purchased");
    // The trigger's own default stays empty even when the journey names other events.
    expect(defaultEvent(withGoal, true)).toBe("");
    const goal = objectFields(SettingsSchema).find((f) => f.key === "goal")?.field;
    if (goal?.kind !== "object") throw new Error("goal is not an object");
    const ctx = {
      eventNames: eventNames(withGoal),
      sendNodeIds: [],
      defaultEvent: defaultEvent(withGoal, false),
    };
    expect(defaultObject(goal.fields, ctx)).toMatchObject({ event: "purchased" });
  });
});

suite("auto-layout fits what it laid out", () => {
  it("bounds the new positions with measured sizes, the default card elsewhere", () => {
    const positions = new Map([
      ["a", { x: 0, y: 0 }],
      ["b", { x: 300, y: 200 }],
    ]);
    expect(layoutBounds(positions, new Map([["b", { width: 240, height: 120 }]]))).toEqual({
      x: 0,
      y: 0,
      width: 540,
      height: 320,
    });
    expect(layoutBounds(new Map(), new Map())).toBeNull();
  });
});

suite("seeded journeys", () => {
  // A card is 232 px wide (.wm-node); 150 px is taller than any card with its "today" row.
  const W = 232;
  const H = 150;
  for (const doc of exampleJourneys()) {
    it(`${doc.id}: no two cards overlap`, () => {
      const nodes = (
        doc as unknown as { nodes: { id: string; position?: { x: number; y: number } }[] }
      ).nodes;
      const placed = nodes.filter((n) => n.position);
      const clashes: string[] = [];
      placed.forEach((a, i) => {
        for (const b of placed.slice(i + 1)) {
          const pa = a.position;
          const pb = b.position;
          if (pa && pb && Math.abs(pa.x - pb.x) < W && Math.abs(pa.y - pb.y) < H)
            clashes.push(`${a.id}/${b.id}`);
        }
      });
      expect(clashes).toEqual([]);
    });
  }
});
