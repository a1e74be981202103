import { describe, expect, it } from "vitest";
import type { Journey } from "../../engine/format/journey.ts";
import { armSends } from "../../server/results/arms.ts";

const send = (id: string) => ({
  id,
  type: "send" as const,
  send: { channel: "sms" as const, category: "promotional" as const, template: id },
});
const wait = (id: string) => ({
  id,
  type: "wait" as const,
  wait: { kind: "duration" as const, duration: "P1D" },
});

/** Which sends count for which arm: downstream of the arm's edge, never before the split. */
describe("armSends", () => {
  it("lists each arm's downstream sends: not the ones before the split, joins for both, a cycle back stops at the split", () => {
    const journey = {
      format: "waymark/journey@1",
      id: "j",
      name: "j",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "api" } },
        send("before"),
        wait("w"),
        {
          id: "split",
          type: "split",
          split: {
            arms: [
              { name: "A", percent: 50 },
              { name: "B", percent: 50 },
            ],
          },
        },
        send("a1"),
        wait("back"),
        send("joined"),
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "before" },
        { from: "before", to: "w" },
        { from: "w", to: "split" },
        { from: "split", to: "a1", path: "A" },
        { from: "split", to: "joined", path: "B" },
        { from: "a1", to: "joined" },
        { from: "joined", to: "back" },
        // Loops back to the split: a new assignment, so the walk stops there.
        { from: "back", to: "split" },
        { from: "joined", to: "done" },
      ],
    } as unknown as Journey;
    const rows = armSends(journey).map((r) => `${r.split}:${r.arm}:${r.node}`);
    expect(rows.sort()).toEqual(["split:A:a1", "split:A:joined", "split:B:joined"]);
  });
});
