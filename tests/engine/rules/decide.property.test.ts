import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide } from "../../../engine/rules/decide.ts";
import { inSendingWindow } from "../../../engine/rules/quiet-hours.ts";
import type { CapRule, ContactState, Policy } from "../../../engine/rules/types.ts";
import { CATEGORIES, CHANNELS } from "../../../engine/shared/channels.ts";
import { DAY, policy } from "./fixtures.ts";

// Zones with DST in both hemispheres, half-hour and 45-minute offsets.
const ZONES = [
  "Asia/Shanghai",
  "America/New_York",
  "Europe/London",
  "Australia/Sydney",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Pacific/Auckland",
];
const WINDOWS = [
  { start: "08:00", end: "21:00" },
  { start: "08:00", end: "22:00" },
  { start: "09:30", end: "18:15" },
  { start: "01:30", end: "23:00" }, // opens inside New York's fall-back hour
  { start: "02:30", end: "20:00" }, // opens inside New York's spring-forward gap
  { start: "20:00", end: "02:00" }, // across midnight
];

const FROM = Date.parse("2024-01-01T00:00:00Z");
const TO = Date.parse("2026-12-31T00:00:00Z");

const capArb: fc.Arbitrary<CapRule> = fc.record({
  channel: fc.constant("sms" as const),
  category: fc.constant("promotional" as const),
  max: fc.integer({ min: 1, max: 5 }),
  window: fc.constantFrom("P30D", "P7D", "PT24H", "P1M", "calendar_day"),
  onExceed: fc.constantFrom("defer" as const, "suppress" as const),
});

const scenarioArb = fc
  .record({
    now: fc.integer({ min: FROM, max: TO }),
    zone: fc.constantFrom(...ZONES),
    window: fc.constantFrom(...WINDOWS),
    caps: fc.array(capArb, { maxLength: 3 }),
    streak: fc.option(
      fc.record({
        count: fc.integer({ min: 1, max: 4 }),
        cooldown: fc.constantFrom("P30D", "P7D"),
      }),
    ),
    sends: fc.array(
      fc.record({
        ago: fc.integer({ min: 0, max: 45 * DAY }),
        // Biased towards promotional SMS so caps and streaks actually bind.
        channel: fc.oneof(
          { arbitrary: fc.constant("sms" as const), weight: 4 },
          fc.constantFrom(...CHANNELS),
        ),
        category: fc.oneof(
          { arbitrary: fc.constant("promotional" as const), weight: 3 },
          fc.constantFrom(...CATEGORIES),
        ),
        opened: fc.oneof({ arbitrary: fc.constant(true), weight: 2 }, fc.boolean()),
        journeyId: fc.constantFrom("A", "B", "C"),
      }),
      { maxLength: 16 },
    ),
    category: fc.oneof(
      { arbitrary: fc.constant("promotional" as const), weight: 3 },
      fc.constantFrom(...CATEGORIES),
    ),
  })
  .map((s) => {
    const contact: ContactState = {
      timezone: s.zone,
      consent: { sms: { promotional: { granted: true } } },
      optOuts: [],
      cooldowns: [],
      recentSends: s.sends.map((x) => ({
        at: s.now - x.ago,
        channel: x.channel,
        category: x.category,
        opened: x.opened,
        journeyId: x.journeyId,
        nodeId: "n",
      })),
    };
    const p: Policy = policy({ quietHours: s.window, caps: s.caps, unopenedStreak: s.streak });
    return { ...s, contact, policy: p };
  });

describe("decide (property)", () => {
  it("respects quiet hours, defers forward, and a deferral resumes cleanly", () => {
    fc.assert(
      fc.property(scenarioArb, ({ now, zone, window, contact, policy: p, category }) => {
        const req = { channel: "sms" as const, category, journeyId: "A", nodeId: "n" };
        const d = decide(req, contact, p, now);
        const quiet = category === "promotional";

        if (d.kind === "allow" && quiet) expect(inSendingWindow(now, window, zone)).toBe(true);
        if (d.kind === "allow") expect(d.zone).toBe(zone);
        if (d.kind !== "defer") return;

        expect(d.until).toBeGreaterThan(now);
        if (quiet) expect(inSendingWindow(d.until, window, zone)).toBe(true);
        const again = decide(req, contact, p, d.until);
        expect(again.kind === "defer" && again.reason === "quiet_hours").toBe(false);
        // With the history unchanged, nothing else should hold it either.
        expect(again).toEqual({ kind: "allow", zone });
      }),
      { numRuns: 1500, seed: 20250602 },
    );
  });

  it("never allows a promotional send outside the window, at any instant (quiet hours only)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM, max: TO }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...WINDOWS),
        (now, zone, window) => {
          const contact: ContactState = {
            timezone: zone,
            consent: { sms: { promotional: { granted: true } } },
            optOuts: [],
            cooldowns: [],
            recentSends: [],
          };
          const d = decide(
            { channel: "sms", category: "promotional", journeyId: "A", nodeId: "n" },
            contact,
            policy({ quietHours: window }),
            now,
          );
          expect(d.kind === "allow").toBe(inSendingWindow(now, window, zone));
          if (d.kind === "defer") {
            expect(d.reason).toBe("quiet_hours");
            expect(d.until).toBeGreaterThan(now);
            // It is the FIRST opening: one minute earlier is still outside the window.
            expect(inSendingWindow(d.until - 60_000, window, zone)).toBe(false);
          }
        },
      ),
      { numRuns: 3000, seed: 7 },
    );
  });
});
