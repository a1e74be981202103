import { describe, expect, it } from "vitest";
import { type SimEntry, simulate, simulateMany, type TimelineEntry } from "../../engine/index.ts";
import { defaultPolicy } from "../../engine/rules/index.ts";
import {
  at,
  DAY,
  example,
  exit,
  HOUR,
  journey,
  PROMO_CONSENT,
  sms,
  trigger,
  waitFor,
} from "./helpers.ts";

/**
 * The simulator applies the trade's rules across time and across journeys as the ticker does:
 * the unopened streak, shared caps, re-entry windows, and a step budget against loops.
 */

const sentNodes = (timeline: readonly TimelineEntry[]) =>
  timeline.filter((e) => e.type === "sent").map((e) => e.nodeId);

describe("simulate: rules across time and journeys", () => {
  const drip = (id: string, n: number, gap = "P1D") => {
    const nodes = [trigger("start", "go")];
    const edges: [string, string][] = [];
    let prev = "start";
    for (let i = 1; i <= n; i++) {
      nodes.push(waitFor(`w${i}`, gap), sms(`s${i}`, `${id} message ${i}`));
      edges.push([prev, `w${i}`], [`w${i}`, `s${i}`]);
      prev = `s${i}`;
    }
    nodes.push(exit());
    edges.push([prev, "done"]);
    return journey(nodes, edges, undefined, id);
  };
  const c = { id: "c1", timezone: "UTC", consent: PROMO_CONSENT };
  const t0 = at("2025-05-01T10:00:00Z");

  it("3 consecutive unopened promotional SMS → the 4th is suppressed and a 30-day cooldown starts", () => {
    const r = simulate(drip("d", 5), c, [{ at: t0, name: "go" }], {
      from: t0,
      until: t0 + 20 * DAY,
    });
    const s4 = r.timeline.filter((e) => e.nodeId === "s4");
    expect(s4.map((e) => e.type)).toEqual(["suppressed", "cooldown"]);
    expect(s4[0]).toMatchObject({ reason: "unopened_streak" });
    expect(r.timeline.find((e) => e.nodeId === "s5")).toMatchObject({
      type: "suppressed",
      reason: "cooldown",
    });
  });

  it("a click resets the streak", () => {
    const r = simulate(
      drip("d", 4),
      c,
      [
        { at: t0, name: "go" },
        { at: t0 + 2 * DAY + HOUR, name: "message.clicked" },
      ],
      { from: t0, until: t0 + 20 * DAY },
    );
    expect(sentNodes(r.timeline)).toEqual(["s1", "s2", "s3", "s4"]);
  });

  it("caps are shared across two journeys: the 5th promotional SMS in 30 days waits", () => {
    const policy = defaultPolicy({ unopenedStreak: null });
    const r = simulateMany([drip("a", 3), drip("b", 3, "PT30H")], c, [{ at: t0, name: "go" }], {
      from: t0,
      until: t0 + 60 * DAY,
      policy,
    });
    const sent = r.timeline.filter((e): e is SimEntry & { type: "sent" } => e.type === "sent");
    expect(sent.slice(0, 4).map((e) => `${e.journeyId}:${e.nodeId}`)).toEqual([
      "a:s1",
      "b:s1",
      "a:s2",
      "b:s2",
    ]);
    const deferred = r.timeline.find((e) => e.type === "deferred" && e.reason === "frequency_cap");
    expect(deferred).toMatchObject({
      journeyId: "a",
      nodeId: "s3",
      at: at("2025-05-04T10:00:00Z"),
    });
    // Never more than 4 in any 30-day window.
    for (const s of sent)
      expect(sent.filter((x) => x.at > s.at - 30 * DAY && x.at <= s.at).length).toBeLessThanOrEqual(
        4,
      );
    expect(sent).toHaveLength(6);
    expect(r.finals).toEqual({
      a: { status: "completed", nodeId: "done" },
      b: { status: "completed", nodeId: "done" },
    });
  });

  it("re-entry after P30D for cart reminder: a second abandonment in the window does not re-enter", () => {
    const j = example("cart-reminder");
    const t = at("2025-05-01T02:00:00Z");
    const r = simulate(
      j,
      { id: "x", timezone: "Asia/Shanghai", consent: PROMO_CONSENT },
      [
        { at: t, name: "cart_abandoned" },
        { at: t + 10 * DAY, name: "cart_abandoned" },
        { at: t + 31 * DAY, name: "cart_abandoned" },
      ],
      { from: t, until: t + 40 * DAY },
    );
    expect(r.timeline.filter((e) => e.type === "entered").map((e) => e.at)).toEqual([
      t,
      t + 31 * DAY,
    ]);
  });

  it("reports stuck instead of looping when the step budget runs out", () => {
    const r = simulate(drip("d", 5), c, [{ at: t0, name: "go" }], {
      from: t0,
      until: t0 + 20 * DAY,
      maxSteps: 3,
    });
    expect(r.issues.map((i) => i.code)).toEqual(["stuck"]);
  });
});
