import { describe, expect, it } from "vitest";
import {
  localInstants,
  nextLocalMidnight,
  nextTimeOfDay,
  parseHhmm,
  startOfLocalDay,
} from "../../../engine/time/time-of-day.ts";
import { isValidZone, localParts } from "../../../engine/time/zone.ts";

const t = (iso: string) => Date.parse(iso);
const NY = "America/New_York";
const LDN = "Europe/London";
const SH = "Asia/Shanghai";

describe("parseHhmm", () => {
  it("accepts 00:00–23:59 and rejects the rest", () => {
    expect(parseHhmm("00:00")).toBe(0);
    expect(parseHhmm("08:30")).toBe(510);
    expect(parseHhmm("23:59")).toBe(1439);
    for (const bad of ["24:00", "8:00", "08:60", "0800", "", "08:00:00"]) {
      expect(parseHhmm(bad)).toBeNull();
    }
  });
});

describe("nextTimeOfDay", () => {
  it("returns `at` itself when it is exactly the time", () => {
    const at = t("2025-06-01T08:00:00+08:00");
    expect(nextTimeOfDay(at, "08:00", SH)).toBe(at);
  });

  it("same day when the time is still ahead, next day when passed", () => {
    expect(nextTimeOfDay(t("2025-06-01T07:59:00+08:00"), "08:00", SH)).toBe(
      t("2025-06-01T08:00:00+08:00"),
    );
    expect(nextTimeOfDay(t("2025-06-01T08:00:01+08:00"), "08:00", SH)).toBe(
      t("2025-06-02T08:00:00+08:00"),
    );
  });

  it("keeps local wall time across New York spring-forward (2025-03-09)", () => {
    const at = t("2025-03-08T12:00:00-05:00");
    const next = nextTimeOfDay(at, "09:00", NY);
    expect(next).toBe(t("2025-03-09T09:00:00-04:00"));
    // 09:00 EST on the 8th to 09:00 EDT on the 9th: 23 real hours.
    expect(next - nextTimeOfDay(t("2025-03-07T12:00:00-05:00"), "09:00", NY)).toBe(23 * 3600_000);
  });

  it("maps a non-existent 02:30 (New York spring-forward gap) to the jump instant 03:00 EDT", () => {
    const next = nextTimeOfDay(t("2025-03-09T00:00:00-05:00"), "02:30", NY);
    expect(next).toBe(t("2025-03-09T03:00:00-04:00"));
    const p = localParts(next, NY);
    expect([p.hour, p.minute, p.offsetMinutes]).toEqual([3, 0, -240]);
  });

  it("handles the repeated 01:30 on New York fall-back (2025-11-02): first, then second occurrence", () => {
    expect(nextTimeOfDay(t("2025-11-02T00:00:00-04:00"), "01:30", NY)).toBe(
      t("2025-11-02T01:30:00-04:00"),
    );
    expect(nextTimeOfDay(t("2025-11-02T01:31:00-04:00"), "01:30", NY)).toBe(
      t("2025-11-02T01:30:00-05:00"),
    );
    expect(nextTimeOfDay(t("2025-11-02T01:31:00-05:00"), "01:30", NY)).toBe(
      t("2025-11-03T01:30:00-05:00"),
    );
  });

  it("keeps 09:00 across New York fall-back: 25 real hours", () => {
    const a = nextTimeOfDay(t("2025-11-01T10:00:00-04:00"), "09:00", NY);
    expect(a).toBe(t("2025-11-02T09:00:00-05:00"));
    expect(a - t("2025-11-01T09:00:00-04:00")).toBe(25 * 3600_000);
  });

  it("Europe/London spring-forward (2025-03-30): 08:00 BST, and 01:30 (gap) → 02:00 BST", () => {
    expect(nextTimeOfDay(t("2025-03-29T12:00:00Z"), "08:00", LDN)).toBe(t("2025-03-30T07:00:00Z"));
    expect(nextTimeOfDay(t("2025-03-30T00:00:00Z"), "01:30", LDN)).toBe(t("2025-03-30T01:00:00Z"));
  });

  it("Europe/London fall-back (2025-10-26): 01:30 BST then 01:30 GMT; 08:00 GMT", () => {
    expect(nextTimeOfDay(t("2025-10-25T23:00:00Z"), "01:30", LDN)).toBe(t("2025-10-26T00:30:00Z"));
    expect(nextTimeOfDay(t("2025-10-26T00:31:00Z"), "01:30", LDN)).toBe(t("2025-10-26T01:30:00Z"));
    expect(nextTimeOfDay(t("2025-10-25T12:00:00Z"), "08:00", LDN)).toBe(t("2025-10-26T08:00:00Z"));
  });

  it("respects ISO weekdays (1=Mon..7=Sun)", () => {
    // 2025-06-02 is a Monday.
    const monday = t("2025-06-02T10:00:00+08:00");
    expect(nextTimeOfDay(monday, "09:00", SH, [6])).toBe(t("2025-06-07T09:00:00+08:00"));
    expect(nextTimeOfDay(monday, "11:00", SH, [1])).toBe(t("2025-06-02T11:00:00+08:00"));
    expect(nextTimeOfDay(monday, "09:00", SH, [1])).toBe(t("2025-06-09T09:00:00+08:00"));
    expect(nextTimeOfDay(monday, "09:00", SH, [7, 3])).toBe(t("2025-06-04T09:00:00+08:00"));
  });

  it("throws on malformed input instead of silently never firing", () => {
    expect(() => nextTimeOfDay(0, "25:00", SH)).toThrow(RangeError);
    expect(() => nextTimeOfDay(0, "09:00", SH, [])).toThrow(RangeError);
    expect(() => nextTimeOfDay(0, "09:00", SH, [8])).toThrow(RangeError);
  });
});

describe("local day helpers", () => {
  it("nextLocalMidnight is 23h away on spring-forward day in New York", () => {
    const m = nextLocalMidnight(t("2025-03-09T00:30:00-05:00"), NY);
    expect(m).toBe(t("2025-03-10T00:00:00-04:00"));
    expect(startOfLocalDay(t("2025-03-09T12:00:00-04:00"), NY)).toBe(
      t("2025-03-09T00:00:00-05:00"),
    );
  });

  it("localInstants finds two instants for a repeated time and one otherwise", () => {
    expect(localInstants(2025, 11, 2, 90, NY)).toEqual([
      t("2025-11-02T01:30:00-04:00"),
      t("2025-11-02T01:30:00-05:00"),
    ]);
    expect(localInstants(2025, 6, 1, 480, SH)).toEqual([t("2025-06-01T08:00:00+08:00")]);
  });

  it("isValidZone", () => {
    expect(isValidZone("Asia/Shanghai")).toBe(true);
    expect(isValidZone("UTC")).toBe(true);
    expect(isValidZone("Mars/Olympus")).toBe(false);
    expect(isValidZone("")).toBe(false);
    expect(isValidZone(null)).toBe(false);
  });
});
