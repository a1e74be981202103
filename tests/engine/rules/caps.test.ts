import { describe, expect, it } from "vitest";
import { decide } from "../../../engine/rules/decide.ts";
import { addDuration } from "../../../engine/time/duration.ts";
import { contact, DAY, HOUR, policy, send, sent, t } from "./fixtures.ts";

const now = t("2025-06-02T12:00:00+08:00");

describe("rolling frequency cap (default: 4 promotional SMS / P30D, defer)", () => {
  const p = policy();

  it("allows under the cap", () => {
    const c = contact({ recentSends: [1, 5, 9].map((d) => sent(now - d * DAY)) });
    expect(decide(send(), c, p, now).kind).toBe("allow");
  });

  it("counts sends from every journey: A's sends block B", () => {
    const c = contact({
      recentSends: [
        sent(now - 2 * DAY, { journeyId: "A" }),
        sent(now - 20 * DAY, { journeyId: "A" }),
        sent(now - 3 * DAY, { journeyId: "B" }),
        sent(now - 10 * DAY, { journeyId: "B" }),
      ],
    });
    const d = decide(send("promotional", "sms", "B"), c, p, now);
    // The oldest counted send (20 days ago) leaves the window 30 days after it was sent.
    expect(d).toEqual({
      kind: "defer",
      until: now + 10 * DAY,
      reason: "frequency_cap",
      detail:
        "4 promotional SMS in the last 30 days (cap 4); deferred to 2025-06-12 12:00 Asia/Shanghai",
      zone: "Asia/Shanghai",
    });
    expect(decide(send("promotional", "sms", "C"), c, p, now + 10 * DAY).kind).toBe("allow");
    expect(decide(send("promotional", "sms", "C"), c, p, now + 10 * DAY - 1).kind).toBe("defer");
  });

  it("ignores other channels, other categories and sends outside the window", () => {
    const c = contact({
      recentSends: [
        sent(now - DAY),
        sent(now - 2 * DAY),
        sent(now - 3 * DAY),
        sent(now - 31 * DAY),
        sent(now - DAY, { channel: "email" }),
        sent(now - DAY, { category: "transactional" }),
      ],
    });
    expect(decide(send(), c, p, now).kind).toBe("allow");
  });

  it("transactional is not capped by default", () => {
    const c = contact({
      recentSends: Array.from({ length: 20 }, (_, i) =>
        sent(now - i * HOUR, { category: "transactional" }),
      ),
    });
    expect(decide(send("transactional"), c, p, now).kind).toBe("allow");
  });

  it("with more sends than the cap, waits until enough have left the window", () => {
    const ages = [1, 2, 3, 4, 25, 28]; // 6 sends, cap 4: three must expire
    const c = contact({ recentSends: ages.map((d) => sent(now - d * DAY)) });
    const d = decide(send(), c, p, now);
    expect(d).toMatchObject({ kind: "defer", until: now + 26 * DAY }); // the 4-days-ago send expires
  });

  it("onExceed: suppress drops the send", () => {
    const strict = policy({
      caps: [
        { channel: "sms", category: "promotional", max: 1, window: "PT24H", onExceed: "suppress" },
      ],
    });
    const c = contact({ recentSends: [sent(now - 2 * HOUR)] });
    expect(decide(send(), c, strict, now)).toEqual({
      kind: "suppress",
      reason: "frequency_cap",
      detail: "1 promotional SMS in the last 24 hours (cap 1)",
    });
  });

  it("a cap deferral landing in quiet hours is pushed to the opening", () => {
    const oldest = t("2025-05-10T21:30:00+08:00"); // frees at 2025-06-09 21:30 local: quiet hours
    const c = contact({
      recentSends: [oldest, now - DAY, now - 2 * DAY, now - 3 * DAY].map((at) => sent(at)),
    });
    const d = decide(send(), c, p, now);
    expect(d).toEqual({
      kind: "defer",
      until: t("2025-06-10T08:00:00+08:00"),
      reason: "frequency_cap",
      detail:
        "4 promotional SMS in the last 30 days (cap 4); deferred to 2025-06-09 21:30 Asia/Shanghai; " +
        "then to 2025-06-10 08:00 Asia/Shanghai — quiet hours (sending allowed 08:00–21:00)",
      zone: "Asia/Shanghai",
    });
    if (d.kind === "defer")
      expect(decide(send(), c, p, d.until)).toEqual({ kind: "allow", zone: "Asia/Shanghai" });
  });

  it("P30D is counted on the contact's calendar across DST (New York)", () => {
    const ny = "America/New_York";
    const at = t("2025-03-20T12:00:00-04:00");
    const oldest = t("2025-03-01T12:00:00-05:00");
    const c = contact({
      timezone: ny,
      recentSends: [oldest, at - DAY, at - 2 * DAY, at - 3 * DAY].map((x) => sent(x)),
    });
    const d = decide(send(), c, p, at);
    // 30 calendar days later at the same wall time, i.e. 30 days minus the DST hour.
    expect(d).toMatchObject({ kind: "defer", until: addDuration(oldest, "P30D", ny) });
    if (d.kind === "defer") expect(d.until).toBe(t("2025-03-31T12:00:00-04:00"));
  });
});

describe("calendar_day cap (in the contact's zone)", () => {
  const p = policy({
    caps: [
      {
        channel: "sms",
        category: "promotional",
        max: 2,
        window: "calendar_day",
        onExceed: "defer",
      },
    ],
  });

  it("counts the contact's local day, not the UTC day, and defers to the next local opening", () => {
    // 01:00 local on June 2 is still June 1 in UTC.
    const c = contact({
      recentSends: [sent(t("2025-06-02T01:00:00+08:00")), sent(t("2025-06-02T09:00:00+08:00"))],
    });
    const d = decide(send(), c, p, t("2025-06-02T10:00:00+08:00"));
    expect(d).toMatchObject({
      kind: "defer",
      reason: "frequency_cap",
      // Next local midnight, then pushed out of quiet hours to 08:00.
      until: t("2025-06-03T08:00:00+08:00"),
    });
    if (d.kind === "defer") {
      expect(d.detail).toContain("2 promotional SMS today (Asia/Shanghai) (cap 2)");
      expect(decide(send(), c, p, d.until).kind).toBe("allow");
    }
  });

  it("yesterday's local sends do not count", () => {
    const c = contact({
      recentSends: [sent(t("2025-06-01T23:30:00+08:00")), sent(t("2025-06-02T09:00:00+08:00"))],
    });
    expect(decide(send(), c, p, t("2025-06-02T10:00:00+08:00")).kind).toBe("allow");
  });

  it("the same history judged in New York falls on different days", () => {
    const sends = [sent(t("2025-06-02T01:00:00+08:00")), sent(t("2025-06-02T09:00:00+08:00"))];
    // In New York these are June 1 13:00 and June 1 21:00; now is June 1 22:00 → same day.
    const c = contact({ timezone: "America/New_York", recentSends: sends });
    const noQuiet = { ...p, quietHours: null };
    expect(decide(send(), c, noQuiet, t("2025-06-01T22:00:00-04:00"))).toMatchObject({
      kind: "defer",
      until: t("2025-06-02T00:00:00-04:00"),
    });
    expect(decide(send(), c, noQuiet, t("2025-06-02T00:00:00-04:00")).kind).toBe("allow");
  });

  it("a cap of 0 blocks instead of deferring forever", () => {
    const zero = policy({
      caps: [{ channel: "sms", category: "promotional", max: 0, window: "P1D", onExceed: "defer" }],
    });
    expect(decide(send(), contact(), zero, t("2025-06-02T10:00:00+08:00"))).toMatchObject({
      kind: "suppress",
      reason: "frequency_cap",
    });
  });
});
