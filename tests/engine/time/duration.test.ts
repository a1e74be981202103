import { describe, expect, it } from "vitest";
import { addDuration, durationMs, parseDuration } from "../../../engine/time/duration.ts";

const t = (iso: string) => Date.parse(iso);
const H = 3600_000;

describe("parseDuration", () => {
  it("parses the common forms", () => {
    expect(parseDuration("PT2H")).toMatchObject({ hours: 2, days: 0 });
    expect(parseDuration("P3D")).toMatchObject({ days: 3 });
    expect(parseDuration("PT30S")).toMatchObject({ seconds: 30 });
    expect(parseDuration("P1M")).toMatchObject({ months: 1 });
    expect(parseDuration("P2W")).toMatchObject({ weeks: 2 });
    expect(parseDuration("P1Y2M3DT4H5M6S")).toEqual({
      iso: "P1Y2M3DT4H5M6S",
      years: 1,
      months: 2,
      weeks: 0,
      days: 3,
      hours: 4,
      minutes: 5,
      seconds: 6,
      milliseconds: 0,
    });
  });

  it("rejects invalid, zero and negative durations", () => {
    for (const bad of [
      "",
      "bogus",
      "P",
      "PT",
      "PT0S",
      "P0D",
      "P-1D",
      "-P1D",
      "2h",
      "calendar_day",
    ]) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });
});

describe("durationMs (approximate)", () => {
  it("uses 30-day months and 24h days", () => {
    expect(durationMs("PT2H")).toBe(2 * H);
    expect(durationMs("P1M")).toBe(30 * 24 * H);
    expect(durationMs("P2W")).toBe(14 * 24 * H);
    expect(durationMs("nope")).toBeNull();
  });
});

describe("addDuration", () => {
  it("P1D keeps New York wall time across spring-forward (23h); PT24H does not", () => {
    const at = t("2025-03-08T09:00:00-05:00");
    expect(addDuration(at, "P1D", "America/New_York")).toBe(t("2025-03-09T09:00:00-04:00"));
    expect(addDuration(at, "P1D", "America/New_York") - at).toBe(23 * H);
    expect(addDuration(at, "PT24H", "America/New_York")).toBe(t("2025-03-09T10:00:00-04:00"));
  });

  it("P1D across New York fall-back is 25h", () => {
    const at = t("2025-11-01T09:00:00-04:00");
    expect(addDuration(at, "P1D", "America/New_York")).toBe(t("2025-11-02T09:00:00-05:00"));
    expect(addDuration(at, "PT24H", "America/New_York")).toBe(t("2025-11-02T08:00:00-05:00"));
  });

  it("Europe/London spring-forward and fall-back", () => {
    const spring = t("2025-03-29T12:00:00Z");
    expect(addDuration(spring, "P1D", "Europe/London")).toBe(t("2025-03-30T11:00:00Z"));
    const fall = t("2025-10-25T12:00:00+01:00");
    expect(addDuration(fall, "P1D", "Europe/London")).toBe(t("2025-10-26T12:00:00Z"));
    expect(addDuration(fall, "PT24H", "Europe/London")).toBe(t("2025-10-26T11:00:00Z"));
  });

  it("is the same instant regardless of zone for pure clock units", () => {
    const at = t("2025-03-09T05:00:00Z");
    expect(addDuration(at, "PT90M", "America/New_York")).toBe(at + 1.5 * H);
    expect(addDuration(at, "PT90M", "Asia/Shanghai")).toBe(at + 1.5 * H);
  });

  it("months clamp to the end of a shorter month", () => {
    expect(addDuration(t("2025-01-31T10:00:00+08:00"), "P1M", "Asia/Shanghai")).toBe(
      t("2025-02-28T10:00:00+08:00"),
    );
  });

  it("throws on an invalid duration", () => {
    expect(() => addDuration(0, "nope", "UTC")).toThrow(RangeError);
  });
});
