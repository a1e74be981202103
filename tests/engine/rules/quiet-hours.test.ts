import { describe, expect, it } from "vitest";
import { decide } from "../../../engine/rules/decide.ts";
import { inSendingWindow } from "../../../engine/rules/quiet-hours.ts";
import { contact, policy, send, t } from "./fixtures.ts";

describe("quiet hours in Asia/Shanghai (allowed 08:00–21:00)", () => {
  const c = contact();
  const p = policy();

  it("22:30 local → deferred to 08:00 next day local", () => {
    const d = decide(send(), c, p, t("2025-06-02T22:30:00+08:00"));
    expect(d).toEqual({
      kind: "defer",
      until: t("2025-06-03T08:00:00+08:00"),
      reason: "quiet_hours",
      detail:
        "deferred to 2025-06-03 08:00 Asia/Shanghai — quiet hours (sending allowed 08:00–21:00)",
      zone: "Asia/Shanghai",
    });
  });

  it("07:59 → 08:00 the same day", () => {
    const d = decide(send(), c, p, t("2025-06-02T07:59:00+08:00"));
    expect(d).toMatchObject({ kind: "defer", until: t("2025-06-02T08:00:00+08:00") });
  });

  it("08:00 and 20:59 are allowed, 21:00 is deferred", () => {
    expect(decide(send(), c, p, t("2025-06-02T08:00:00+08:00"))).toEqual({
      kind: "allow",
      zone: "Asia/Shanghai",
    });
    expect(decide(send(), c, p, t("2025-06-02T20:59:59+08:00")).kind).toBe("allow");
    expect(decide(send(), c, p, t("2025-06-02T21:00:00+08:00"))).toMatchObject({
      kind: "defer",
      reason: "quiet_hours",
      until: t("2025-06-03T08:00:00+08:00"),
    });
  });

  it("applies to promotional only by default; quietHoursFor widens it", () => {
    const night = t("2025-06-02T23:00:00+08:00");
    expect(decide(send("transactional"), c, p, night).kind).toBe("allow");
    const strict = policy({ quietHoursFor: ["promotional", "service"] });
    expect(decide(send("service"), c, strict, night).kind).toBe("defer");
    expect(decide(send("transactional"), c, strict, night).kind).toBe("allow");
  });

  it("quietHours: null disables the window", () => {
    expect(
      decide(send(), c, policy({ quietHours: null }), t("2025-06-02T03:00:00+08:00")).kind,
    ).toBe("allow");
  });
});

describe("zone resolution feeds quiet hours", () => {
  const p = policy({ workspaceTimezone: "America/New_York" });
  // 14:30Z = 22:30 in Shanghai, 10:30 in New York, 15:30 in London.
  const at = t("2025-06-02T14:30:00Z");

  it("uses the phone's country (+86 → Asia/Shanghai) when the profile zone is missing", () => {
    const d = decide(send(), contact({ timezone: null }), p, at);
    expect(d).toMatchObject({
      kind: "defer",
      zone: "Asia/Shanghai",
      until: t("2025-06-03T00:00:00Z"),
    });
  });

  it("…or invalid", () => {
    const d = decide(send(), contact({ timezone: "Mars/Olympus" }), p, at);
    expect(d).toMatchObject({ kind: "defer", zone: "Asia/Shanghai" });
  });

  it("+44 → Europe/London", () => {
    const c = contact({ timezone: undefined, phone: "+442071838750" });
    expect(decide(send(), c, p, at)).toEqual({ kind: "allow", zone: "Europe/London" });
    // 21:30Z = 22:30 BST → 08:00 BST = 07:00Z.
    expect(decide(send(), c, p, t("2025-06-02T21:30:00Z"))).toMatchObject({
      kind: "defer",
      zone: "Europe/London",
      until: t("2025-06-03T07:00:00Z"),
    });
  });

  it("falls back to the workspace zone", () => {
    expect(decide(send(), contact({ timezone: null, phone: null }), p, at)).toEqual({
      kind: "allow",
      zone: "America/New_York",
    });
  });

  it("an invalid workspace zone falls back to UTC instead of throwing", () => {
    const d = decide(
      send(),
      contact({ timezone: null, phone: null }),
      policy({ workspaceTimezone: "nope" }),
      at,
    );
    expect(d).toEqual({ kind: "allow", zone: "UTC" });
  });
});

describe("quiet-hours deferral across DST", () => {
  const p = policy();
  const ny = contact({ timezone: "America/New_York", phone: null });
  const ldn = contact({ timezone: "Europe/London", phone: null });

  it("New York spring-forward: 22:00 EST Sat → 08:00 EDT Sun (9 real hours)", () => {
    const at = t("2025-03-08T22:00:00-05:00");
    const d = decide(send(), ny, p, at);
    expect(d).toMatchObject({ kind: "defer", until: t("2025-03-09T08:00:00-04:00") });
    if (d.kind === "defer") expect(d.until - at).toBe(9 * 3600_000);
  });

  it("New York fall-back: 22:00 EDT Sat → 08:00 EST Sun (11 real hours)", () => {
    const at = t("2025-11-01T22:00:00-04:00");
    const d = decide(send(), ny, p, at);
    expect(d).toMatchObject({ kind: "defer", until: t("2025-11-02T08:00:00-05:00") });
    if (d.kind === "defer") expect(d.until - at).toBe(11 * 3600_000);
  });

  it("Europe/London spring-forward and fall-back", () => {
    expect(decide(send(), ldn, p, t("2025-03-29T22:00:00Z"))).toMatchObject({
      kind: "defer",
      until: t("2025-03-30T07:00:00Z"), // 08:00 BST
    });
    expect(decide(send(), ldn, p, t("2025-10-25T22:00:00+01:00"))).toMatchObject({
      kind: "defer",
      until: t("2025-10-26T08:00:00Z"), // 08:00 GMT
    });
  });

  it("a send during the repeated 01:30 hour is deferred to 08:00 the same day", () => {
    expect(decide(send(), ny, p, t("2025-11-02T01:30:00-05:00"))).toMatchObject({
      kind: "defer",
      until: t("2025-11-02T08:00:00-05:00"),
    });
  });
});

describe("inSendingWindow", () => {
  const zone = "Asia/Shanghai";
  it("supports a window across midnight and treats start == end as unrestricted", () => {
    const w = { start: "20:00", end: "02:00" };
    expect(inSendingWindow(t("2025-06-02T23:00:00+08:00"), w, zone)).toBe(true);
    expect(inSendingWindow(t("2025-06-02T01:59:00+08:00"), w, zone)).toBe(true);
    expect(inSendingWindow(t("2025-06-02T02:00:00+08:00"), w, zone)).toBe(false);
    expect(inSendingWindow(t("2025-06-02T12:00:00+08:00"), w, zone)).toBe(false);
    expect(
      inSendingWindow(t("2025-06-02T04:00:00+08:00"), { start: "08:00", end: "08:00" }, zone),
    ).toBe(true);
  });

  it("throws on malformed times", () => {
    expect(() => inSendingWindow(0, { start: "8am", end: "21:00" }, zone)).toThrow(RangeError);
  });
});
