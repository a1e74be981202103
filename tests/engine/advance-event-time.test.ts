import { describe, expect, it } from "vitest";
import { advance } from "../../engine/index.ts";
import { enter, logs, sends } from "./advance-helpers.ts";
import {
  at,
  contact,
  DAY,
  exit,
  HOUR,
  journey,
  policy,
  ports,
  sms,
  trigger,
  waitFor,
} from "./helpers.ts";

/**
 * Events are judged by when they happened, not when the ticker read them: a ticker running
 * behind, or an offline device's late batch, must not change a branch's path or a conversion.
 */
describe("advance: an event's own time", () => {
  const branchJ = journey(
    [
      trigger(),
      {
        id: "b",
        type: "branch",
        branch: {
          kind: "event",
          event: "purchased",
          where: [{ field: "total", op: "gte", value: 50 }],
          within: "P2D",
        },
      },
      { id: "yes", type: "exit" },
      { id: "no", type: "exit" },
    ],
    [
      ["start", "b"],
      ["b", "yes", "yes"],
      ["b", "no", "no"],
    ],
  );

  it("event branch: an event made after the window, read late, takes no", () => {
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(branchJ, t0);
    const read = (eventAt: number) =>
      advance(
        cj,
        r.snapshot,
        {
          now: t0 + 2 * DAY + HOUR,
          contact: contact(),
          policy: policy(),
          event: { name: "purchased", at: eventAt, properties: { total: 99 } },
        },
        ports,
      );
    expect(read(t0 + 2 * DAY + 30 * 60_000)).toMatchObject({ status: "completed", nodeId: "no" });
    // Made inside the window, read as late: yes.
    expect(read(t0 + 2 * DAY - 60_000)).toMatchObject({ status: "completed", nodeId: "yes" });
  });

  describe("the goal by the event's own time", () => {
    const j = {
      ...journey(
        [trigger(), sms("s1"), waitFor("w", "P10D"), exit()],
        [
          ["start", "s1"],
          ["s1", "w"],
          ["w", "done"],
        ],
      ),
      settings: { goal: { event: "purchased", within: "P7D" } },
    };
    const t0 = at("2025-05-01T04:00:00Z");
    const read = (entered: ReturnType<typeof enter>, now: number, eventAt: number) =>
      advance(
        entered.cj,
        entered.r.snapshot,
        { now, contact: contact(), policy: policy(), event: { name: "purchased", at: eventAt } },
        ports,
      );
    const converted = (r: ReturnType<typeof advance>) =>
      r.effects.filter((e) => e.type === "converted");

    it("a purchase inside the window that arrives after it closed still converts, credited", () => {
      const entered = enter(j, t0);
      const { r } = entered;
      expect(sends(r)).toHaveLength(1);
      const late = read(entered, t0 + 8 * DAY, t0 + 6 * DAY);
      expect(converted(late)).toEqual([
        {
          type: "converted",
          event: "purchased",
          at: t0 + 6 * DAY,
          attributedTo: { nodeId: "s1", idempotencyKey: sends(r)[0]?.idempotencyKey },
        },
      ]);
      // Read inside the window but made after it: no conversion.
      expect(converted(read(entered, t0 + 8 * DAY, t0 + 7 * DAY + HOUR))).toEqual([]);
    });

    it("a purchase made before the send, read after it: converted, the send not credited", () => {
      const early = read(enter(j, t0), t0 + HOUR, t0 - 60_000);
      expect(converted(early)).toEqual([
        { type: "converted", event: "purchased", at: t0 - 60_000 },
      ]);
      expect(logs(early).find((e) => e.type === "converted")?.detail).toBe(
        "purchased within P7D of entering",
      );
    });
  });
});
