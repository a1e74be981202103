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

  it("the cached-scope path (machine.transition) agrees with xstate's transition()", () => {
    const c = compileFresh({ versionId: "v1", journey: example("cart-reminder") });
    const s = c.machine.resolveState({ value: "clicked", context: ctx("clicked") });
    for (const type of ["go.yes", "go.no", "end.exited"] as const) {
      const e = { type };
      const [viaPublic] = transition(c.machine, s, e);
      const viaScope = c.machine.transition(s, e, c.scope);
      expect(viaScope.value).toEqual(viaPublic.value);
      expect(viaScope.context).toEqual(viaPublic.context);
      expect(viaScope.status).toEqual(viaPublic.status);
    }
    // Reusing the scope many times leaves no state behind.
    let x = c.machine.resolveState({ value: "start", context: ctx("start") });
    const seen: unknown[] = [];
    for (const type of ["go.", "go.", "go.", "go.no", "go."] as const) {
      x = c.machine.transition(x, { type }, c.scope);
      seen.push(x.value);
    }
    expect(seen).toEqual(["wait1", "sms1", "clicked", "cool", "done"]);
    expect(x.status).toBe("done");
    // Unknown events leave the snapshot where it is.
    expect(c.machine.transition(x, { type: "go.nowhere" }, c.scope).value).toBe("done");
  });

  it("initial snapshot from input, and a safe context when input is missing", () => {
    const c = compileFresh({ versionId: "v1", journey: example("cart-reminder") });
    const [s] = initialTransition(c.machine, ctx("start"));
    expect(s.value).toBe("start");
    expect(s.context.key).toBe("k");
    const empty = c.machine.getInitialSnapshot(c.scope, undefined as unknown as EnrollmentContext);
    expect(empty.context.visits).toEqual({});
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
