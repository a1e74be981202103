import { describe, expect, it } from "vitest";
import type { JourneyNode } from "../../engine/index.ts";
import { type PendingEvent, type StepInput, step } from "../../engine/step.ts";
import { compiled } from "./advance-helpers.ts";
import { at, contact, exit, HOUR, journey, policy, ports, sms, trigger } from "./helpers.ts";

/**
 * engine/step.ts: the one place that decides how an enrollment's pending events reach it. The
 * ticker and the simulator call nothing else (tests/server/sim-ticker-parity.test.ts checks
 * they agree); these pin the rules both rely on.
 */

const T = at("2026-03-02T10:00:00Z");

/** trigger → SMS → wait up to a day for `bought` → yes: exit / no: exit. */
const bought: JourneyNode = {
  id: "bought",
  type: "branch",
  branch: { kind: "event", event: "bought", within: "P1D" },
};
const j = journey(
  [trigger(), sms("s1"), bought, exit("yes_exit"), exit("no_exit")],
  [
    ["start", "s1"],
    ["s1", "bought"],
    ["bought", "yes_exit", "yes"],
    ["bought", "no_exit", "no"],
  ],
);

function input(over: Partial<StepInput>): StepInput {
  return {
    snapshot: null,
    waitsFor: [],
    cursor: 0,
    pending: [],
    contact: contact(),
    policy: policy(),
    now: T,
    ...over,
  };
}

const ev = (id: number, name: string, atMs = T, properties: Record<string, unknown> = {}) =>
  ({ id, name, at: atMs, properties }) as PendingEvent;

describe("step", () => {
  const cj = compiled(j);

  it("enters, sends, and hands back a contact view with the send, leaving the input untouched", () => {
    const given = contact();
    const out = step(cj, input({ contact: given, entryEvent: { name: "go", at: T } }), ports);
    expect(out.passes).toHaveLength(1);
    expect(out.passes[0]?.cause).toBeNull();
    expect(out.result.nodeId).toBe("bought");
    expect(out.result.waitsFor).toContain("bought");
    expect(out.contact.recentSends.map((s) => s.nodeId)).toEqual(["s1"]);
    expect(given.recentSends).toEqual([]);
  });

  it("feeds only listened events past the cursor, one pass each, and stops once ended", () => {
    const entered = step(cj, input({ entryEvent: { name: "go", at: T } }), ports);
    const later = T + HOUR;
    const out = step(
      cj,
      input({
        snapshot: entered.result.snapshot,
        waitsFor: entered.result.waitsFor,
        cursor: 10,
        contact: entered.contact,
        now: later,
        pending: [
          ev(9, "bought", T), // at or below the cursor: seen before
          ev(11, "browsed", later), // not listened to
          ev(12, "bought", later), // answers the branch: yes → exit
          ev(13, "bought", later), // after the end: looked at, not fed
          ev(14, "bought", later),
        ],
      }),
      ports,
    );
    expect(out.passes.map((p) => p.cause?.id ?? null)).toEqual([12]);
    expect(out.result.status).toBe("completed");
    expect(out.result.nodeId).toBe("yes_exit");
    // The ticker's cursor: the first event looked at after the end, as before step() existed.
    expect(out.cursor).toBe(13);
  });

  it("wakes the enrollment at `now` when no event is fed", () => {
    const entered = step(cj, input({ entryEvent: { name: "go", at: T } }), ports);
    const out = step(
      cj,
      input({
        snapshot: entered.result.snapshot,
        waitsFor: entered.result.waitsFor,
        contact: entered.contact,
        now: T + 2 * 24 * HOUR,
        pending: [ev(1, "browsed", T + HOUR)],
      }),
      ports,
    );
    expect(out.passes).toHaveLength(1);
    expect(out.passes[0]?.cause).toBeNull();
    expect(out.result.nodeId).toBe("no_exit");
    expect(out.cursor).toBe(1);
  });

  it("marks the contact's send opened on a click, listened to or not (unopened streak)", () => {
    const entered = step(cj, input({ entryEvent: { name: "go", at: T } }), ports);
    const click = ev(5, "message.clicked", T + HOUR, { nodeId: "s1", journeyId: j.id });
    const out = step(
      cj,
      input({
        snapshot: entered.result.snapshot,
        waitsFor: ["bought"],
        contact: entered.contact,
        now: T + HOUR,
        pending: [click],
      }),
      ports,
    );
    expect(out.contact.recentSends.map((s) => s.opened)).toEqual([true]);
    expect(entered.contact.recentSends.map((s) => s.opened)).toEqual([false]);
  });

  it("carries an opt-out reply into the view, so the contact's next journey sees it", () => {
    const entered = step(cj, input({ entryEvent: { name: "go", at: T } }), ports);
    const out = step(
      cj,
      input({
        snapshot: entered.result.snapshot,
        waitsFor: entered.result.waitsFor,
        contact: entered.contact,
        now: T + HOUR,
        pending: [ev(3, "message.replied", T + HOUR, { body: "STOP" })],
      }),
      ports,
    );
    expect(out.passes[0]?.effects.some((e) => e.type === "optOut")).toBe(true);
    expect(out.contact.optOuts).toEqual([
      { channel: "*", category: "*", at: T + HOUR, source: "reply STOP" },
    ]);
    // Entering again as a fresh enrollment, the send is held back by the opt-out.
    const again = step(
      cj,
      input({ contact: out.contact, now: T + 2 * HOUR, entryEvent: { name: "go", at: T } }),
      ports,
    );
    expect(again.passes[0]?.effects.some((e) => e.type === "send")).toBe(false);
  });
});
