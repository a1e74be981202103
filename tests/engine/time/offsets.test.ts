import fc from "fast-check";
import { DateTime, Duration } from "luxon";
import { describe, expect, it } from "vitest";
import { addDuration, localParts } from "../../../engine/time/index.ts";
import { localPartsReference } from "../../../engine/time/zone.ts";

const ZONES = [
  "America/New_York",
  "Europe/London",
  "Asia/Shanghai",
  "Australia/Sydney",
  "Asia/Kolkata",
  "America/St_Johns",
  "Pacific/Chatham",
  "Europe/Moscow",
];
const DURATIONS = ["PT1H", "PT90M", "P1D", "P3D", "P1W", "P1M", "P1Y", "P1DT2H", "P2M10D", "PT24H"];
// 2019-2031: several DST rule years, both hemispheres.
const instant = fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2031, 0, 1) });

describe("fast zone arithmetic agrees with luxon", () => {
  it("wall clock readings", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (at, zone) => {
        expect(localParts(at, zone)).toEqual(localPartsReference(at, zone));
      }),
      { numRuns: 4000, seed: 11 },
    );
  });

  it("calendar and clock durations, including across DST changes", () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom(...ZONES),
        fc.constantFrom(...DURATIONS),
        (at, zone, iso) => {
          const expected = DateTime.fromMillis(at, { zone }).plus(Duration.fromISO(iso)).toMillis();
          expect(addDuration(at, iso, zone)).toBe(expected);
        },
      ),
      { numRuns: 4000, seed: 12 },
    );
  });

  it("every half hour around the 2025 DST changes in New York and London", () => {
    for (const zone of ["America/New_York", "Europe/London"]) {
      for (const day of [
        Date.UTC(2025, 2, 8),
        Date.UTC(2025, 2, 29),
        Date.UTC(2025, 9, 25),
        Date.UTC(2025, 10, 1),
      ]) {
        for (let at = day; at < day + 3 * 86_400_000; at += 1_800_000) {
          expect(localParts(at, zone)).toEqual(localPartsReference(at, zone));
          expect(addDuration(at, "P1D", zone)).toBe(
            DateTime.fromMillis(at, { zone }).plus({ days: 1 }).toMillis(),
          );
        }
      }
    }
  });

  it("rejects unknown zones like luxon-based callers expect", () => {
    expect(() => addDuration(0, "P1D", "Mars/Base")).toThrow(RangeError);
    expect(() => addDuration(0, "PT1H", "Mars/Base")).toThrow(RangeError);
  });
});
