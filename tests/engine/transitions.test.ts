import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import {
  COMPLETED,
  compileFresh,
  type EnrollmentContext,
  EXITED,
  type Journey,
  type MachineEvent,
} from "../../engine/index.ts";
import { definitionOf } from "../../engine/nodes/registry.ts";
import { bigJourney, example } from "./helpers.ts";

const names = readdirSync(resolve(import.meta.dirname, "../../examples/journeys"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""));

/** A context full of values, to show the answers do not come from the (empty) one we ask with. */
const busy = (node: string): EnrollmentContext => ({
  key: "e42",
  contactId: "42",
  enteredAt: 1,
  node,
  at: 2,
  wakeAt: 3,
  logged: true,
  visits: { [node]: 7 },
  sends: { sms1: { at: 1, channel: "sms", key: "e42:sms1:1", clicked: 2 } },
  lastSend: "sms1",
});

/** Every event the engine can send this machine, plus one it never defines. */
function eventsOf(journey: Journey): MachineEvent[] {
  const types = new Set<string>(["end.exited", "end.completed", "go.nowhere"]);
  for (const node of journey.nodes) {
    const out = definitionOf(node).outPaths(node);
    if (out.kind === "one") types.add("go.");
    if (out.kind === "named") for (const n of out.names) types.add(`go.${n}`);
  }
  return [...types].map((type) => ({ type }) as MachineEvent);
}

describe("the machine's remembered moves", () => {
  const journeys: [string, Journey][] = [
    ...names.map((n): [string, Journey] => [n, example(n)]),
    ["bigJourney(40)", bigJourney(40)],
  ];

  it.each(journeys)("agree with xstate's transition() for every state and event of %s", (_, j) => {
    const c = compileFresh({ versionId: "v1", journey: j });
    const states = [...j.nodes.map((n) => n.id), COMPLETED, EXITED];
    let pairs = 0;
    for (const from of states) {
      for (const event of eventsOf(j)) {
        const [expected] = transition(
          c.machine,
          c.machine.resolveState({ value: from, context: busy(from) }),
          event,
        );
        // Asked twice: the second answer is the remembered one.
        for (let i = 0; i < 2; i++) {
          const got = c.moves.next(from, event);
          expect(got.value, `${from} + ${event.type}`).toBe(expected.value);
          expect(got.done, `${from} + ${event.type}`).toBe(expected.status === "done");
        }
        pairs++;
      }
      const restored = c.machine.resolveState({ value: from, context: busy(from) });
      expect(c.moves.state(from)).toEqual({ value: from, done: restored.status === "done" });
    }
    expect(pairs).toBeGreaterThan(states.length * 3);
    const [first] = initialTransition(c.machine, busy("start"));
    expect(c.moves.initial()).toEqual({ value: first.value, done: first.status === "done" });
  });

  it("fail on a state the machine does not have, as resolveState does", () => {
    const c = compileFresh({ versionId: "v1", journey: example("cart-reminder") });
    expect(() => c.machine.resolveState({ value: "gone", context: busy("gone") })).toThrow();
    expect(() => c.moves.state("gone")).toThrow();
    expect(() => c.moves.next("gone", { type: "go." })).toThrow();
  });

  it("rest on machines with no guards and no actions, which is what makes remembering safe", () => {
    for (const [, j] of journeys) {
      const c = compileFresh({ versionId: "v1", journey: j });
      for (const node of Object.values(c.machine.states)) {
        expect(node.entry).toEqual([]);
        expect(node.exit).toEqual([]);
        for (const defs of node.transitions.values()) {
          for (const t of defs) {
            expect(t.guard).toBeUndefined();
            expect(t.actions).toEqual([]);
          }
        }
      }
    }
  });
});
