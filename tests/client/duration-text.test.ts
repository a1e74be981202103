import { describe, expect, it } from "vitest";
import { durationValue, parseDurationText } from "../../client/src/i18n/duration-text.ts";
import { formatDuration } from "../../client/src/i18n/format.ts";

/**
 * Durations in the Settings forms typed as people say them (issue #20): either language is
 * read whatever the console's is, ISO still works, and whatever the console shows reads back.
 */
describe("durations typed as people say them", () => {
  it("reads English", () => {
    expect(parseDurationText("30 days")).toBe("P30D");
    expect(parseDurationText("1 day")).toBe("P1D");
    expect(parseDurationText("12h")).toBe("PT12H");
    expect(parseDurationText("1 day, 12 hours")).toBe("P1DT12H");
    expect(parseDurationText("2 hours and 30 minutes")).toBe("PT2H30M");
    expect(parseDurationText("  90 min ")).toBe("PT90M");
    expect(parseDurationText("2 Weeks")).toBe("P2W");
    expect(parseDurationText("6 months")).toBe("P6M");
  });

  it("reads 简体中文", () => {
    expect(parseDurationText("30天")).toBe("P30D");
    expect(parseDurationText("30 天")).toBe("P30D");
    expect(parseDurationText("1天12小时")).toBe("P1DT12H");
    expect(parseDurationText("1天 12 个小时")).toBe("P1DT12H");
    expect(parseDurationText("2周")).toBe("P2W");
    expect(parseDurationText("3个月")).toBe("P3M");
    expect(parseDurationText("45秒")).toBe("PT45S");
    expect(parseDurationText("10分钟")).toBe("PT10M");
  });

  it("keeps ISO for those who type it, and refuses what says no length", () => {
    expect(parseDurationText("P30D")).toBe("P30D");
    expect(parseDurationText("pt12h")).toBe("PT12H");
    for (const bad of ["", "soon", "30", "days", "P", "PT", "P1H", "0 days", "PT0S", "1 day 1 day"])
      expect(parseDurationText(bad), bad).toBeNull();
  });

  it("reads back whatever the console shows, in both languages", () => {
    for (const iso of ["P30D", "PT12H", "P1DT12H", "P2W", "PT2H30M", "P1Y", "P3M"])
      for (const locale of ["en", "zh-CN"])
        expect(parseDurationText(formatDuration(locale, iso)), `${locale} ${iso}`).toBe(iso);
  });

  it("takes a calendar day only where a cap window allows it", () => {
    expect(durationValue("calendar day", true)).toBe("calendar_day");
    expect(durationValue("自然日", true)).toBe("calendar_day");
    expect(durationValue("calendar_day", true)).toBe("calendar_day");
    expect(durationValue("自然日", false)).toBeNull();
    expect(durationValue("7天", true)).toBe("P7D");
  });
});
