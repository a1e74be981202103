import { describe, expect, it } from "vitest";
import { describeReason } from "../../../engine/rules/decide.ts";
import { DEFAULT_POLICY, defaultPolicy } from "../../../engine/rules/policy.ts";
import { REASON_CODES } from "../../../engine/rules/types.ts";

describe("describeReason", () => {
  it("explains every reason code", () => {
    const texts = REASON_CODES.map(describeReason);
    for (const text of texts) expect(text.length).toBeGreaterThan(10);
    expect(new Set(texts).size).toBe(REASON_CODES.length);
  });
});

describe("DEFAULT_POLICY", () => {
  it("matches DOMAIN.md defaults", () => {
    expect(DEFAULT_POLICY.quietHours).toEqual({ start: "08:00", end: "21:00" });
    expect(DEFAULT_POLICY.quietHoursFor).toEqual(["promotional"]);
    expect(DEFAULT_POLICY.caps).toEqual([
      { channel: "sms", category: "promotional", max: 4, window: "P30D", onExceed: "defer" },
    ]);
    expect(DEFAULT_POLICY.unopenedStreak).toEqual({ count: 3, cooldown: "P30D" });
    expect(DEFAULT_POLICY.consentRequired.promotional).toBe(true);
  });

  it("is deep-frozen; defaultPolicy() returns a fresh copy", () => {
    expect(Object.isFrozen(DEFAULT_POLICY.caps[0])).toBe(true);
    const mine = defaultPolicy({ workspaceTimezone: "Asia/Shanghai" });
    mine.caps.push({
      channel: "email",
      category: "promotional",
      max: 8,
      window: "P7D",
      onExceed: "defer",
    });
    expect(DEFAULT_POLICY.caps).toHaveLength(1);
    expect(mine.workspaceTimezone).toBe("Asia/Shanghai");
  });
});
