import { describe, expect, it } from "vitest";
import {
  formatDateTime,
  formatDuration,
  formatNumber,
  formatRelative,
} from "../../client/src/i18n/format.ts";
import { browserLocale } from "../../client/src/i18n/locales.ts";

/** The console's one formatting module (issue #20): people's words, never `PT1H`. */
describe("console formatting in English and 简体中文", () => {
  it("says durations as people say them", () => {
    expect(formatDuration("en", "PT1H")).toBe("1 hour");
    expect(formatDuration("zh-CN", "PT1H")).toBe("1小时");
    expect(formatDuration("en", "P2D")).toBe("2 days");
    expect(formatDuration("zh-CN", "P2D")).toBe("2天");
    expect(formatDuration("en", "P1DT12H")).toBe("1 day, 12 hours");
    expect(formatDuration("zh-CN", "P1DT12H")).toBe("1天12小时");
    expect(formatDuration("en", "PT30M")).toBe("30 minutes");
    expect(formatDuration("en", "PT0S")).toBe("0 seconds");
    // A half-typed form value is shown as typed, not guessed at.
    for (const raw of ["P", "PT", "P1H", "soon", ""]) expect(formatDuration("en", raw)).toBe(raw);
  });

  it("formats numbers, dates and relative times for the language", () => {
    expect(formatNumber("en", 12345)).toBe("12,345");
    expect(formatNumber("zh-CN", 12345)).toBe("12,345");
    const at = "2026-12-06T06:03:00Z";
    expect(formatDateTime("en", at, { timeZone: "Asia/Shanghai" })).toBe(
      "Dec 6, 2026, 14:03 GMT+8",
    );
    expect(formatDateTime("zh-CN", at, { timeZone: "Asia/Shanghai" })).toBe(
      "2026年12月6日 GMT+8 14:03",
    );
    const now = new Date("2026-12-06T06:06:00Z");
    expect(formatRelative("en", at, now)).toBe("3 minutes ago");
    expect(formatRelative("zh-CN", at, now)).toBe("3分钟前");
    expect(formatRelative("en", "2026-12-08T06:06:00Z", now)).toBe("in 2 days");
    expect(formatRelative("zh-CN", "2026-12-05T06:06:00Z", now)).toBe("昨天");
    expect(formatDateTime("en", "not a date")).toBe("not a date");
  });

  it("follows the browser's first language the console has", () => {
    expect(browserLocale(["zh-CN", "en"])).toBe("zh-CN");
    expect(browserLocale(["zh-TW"])).toBe("zh-CN");
    expect(browserLocale(["fr-FR", "en-GB", "zh-CN"])).toBe("en");
    expect(browserLocale(["fr-FR"])).toBe("en");
    expect(browserLocale([])).toBe("en");
  });
});
