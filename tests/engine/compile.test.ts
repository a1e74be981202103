import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import {
  COMPLETED,
  compile,
  compileFresh,
  type EnrollmentContext,
  EXITED,
} from "../../engine/index.ts";
import { bigJourney, example } from "./helpers.ts";

const ctx = (node: string): EnrollmentContext => ({
  key: "k",
  contactId: "c",
  enteredAt: 0,
  node,
  at: 0,
  wakeAt: null,
  visits: { [node]: 1 },
  sends: {},
});

describe("compile", () => {
  it("one XState state per node, plus $completed and $exited", () => {
    const j = example("cart-reminder");
    const c = compileFresh({ versionId: "v1", journey: j });
    expect(Object.keys(c.machine.states).sort()).toEqual(
      [...j.nodes.map((n) => n.id), COMPLETED, EXITED].sort(),
    );
    expect(c.machine.states.done?.type).toBe("final");
    expect(c.machine.config.after).toBeUndefined();
  });

  it("caches by versionId", () => {
    const j = example("cart-reminder");
    expect(compile({ versionId: "cache-a", journey: j })).toBe(
      compile({ versionId: "cache-a", journey: j }),
    );
    expect(compile({ versionId: "cache-b", journey: j })).not.toBe(
      compile({ versionId: "cache-a", journey: j }),
    );
  });

  it("the remembered moves walk a journey as xstate's transition() does", () => {
    const c = compileFresh({ versionId: "v1", journey: example("cart-reminder") });
    let x = c.machine.resolveState({ value: "start", context: ctx("start") });
    let y = c.moves.state("start");
    const seen: unknown[] = [];
    for (const type of ["go.", "go.", "go.", "go.no", "go."] as const) {
      [x] = transition(c.machine, x, { type });
      y = c.moves.next(y.value, { type });
      expect(y.value).toBe(x.value);
      seen.push(y.value);
    }
    expect(seen).toEqual(["wait1", "sms1", "clicked", "cool", "done"]);
    expect(y.done).toBe(true);
    expect(x.status).toBe("done");
    // Unknown events leave the machine where it is.
    expect(c.moves.next("done", { type: "go.nowhere" }).value).toBe("done");
  });

  it("initial snapshot from input, and a safe context when input is missing", () => {
    const c = compileFresh({ versionId: "v1", journey: example("cart-reminder") });
    const [s] = initialTransition(c.machine, ctx("start"));
    expect(s.value).toBe("start");
    expect(s.context.key).toBe("k");
    const [empty] = initialTransition(c.machine, undefined as never);
    expect(empty.context.visits).toEqual({});
    expect(c.moves.initial()).toEqual({ value: "start", done: false });
  });

  it("compiles a 200-node journey quickly", () => {
    const j = bigJourney(200);
    expect(j.nodes).toHaveLength(200);
    const t0 = performance.now();
    const c = compileFresh({ versionId: "big", journey: j });
    const ms = performance.now() - t0;
    expect(Object.keys(c.machine.states)).toHaveLength(202);
    // Bench target is < 50 ms; the test allows slack for a loaded CI machine.
    expect(ms).toBeLessThan(250);
  });
});
