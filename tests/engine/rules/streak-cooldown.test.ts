import { describe, expect, it } from "vitest";
import { decide } from "../../../engine/rules/decide.ts";
import { addDuration } from "../../../engine/time/duration.ts";
import { contact, DAY, policy, send, sent, t } from "./fixtures.ts";

const now = t("2025-06-02T12:00:00+08:00");
// No caps, so the streak rule is tested alone.
const p = policy({ caps: [] });

describe("unopened streak (default 3 → 30-day promotional cooldown)", () => {
  it("3 consecutive unopened promotional SMS → suppress and start a cooldown", () => {
    const c = contact({
      recentSends: [1, 2, 3].map((d) => sent(now - d * DAY, { opened: false })),
    });
    const d = decide(send(), c, p, now);
    const until = addDuration(now, "P30D", "Asia/Shanghai");
    expect(d).toEqual({
      kind: "suppress",
      reason: "unopened_streak",
      detail:
        "last 3 promotional SMS unopened (limit 3); cooldown of 30 days until 2025-07-02 12:00 Asia/Shanghai",
      startCooldown: { scope: "promotional", until },
    });
  });

  it("an opened send breaks the streak (order of history does not matter)", () => {
    const c = contact({
      recentSends: [
        sent(now - 3 * DAY, { opened: false }),
        sent(now - 1 * DAY, { opened: false }),
        sent(now - 4 * DAY, { opened: false }),
        sent(now - 2 * DAY, { opened: true }),
        sent(now - 5 * DAY, { opened: false }),
      ],
    });
    expect(decide(send(), c, p, now).kind).toBe("allow");
  });

  it("counts only the send's channel and promotional sends", () => {
    const c = contact({
      recentSends: [
        sent(now - 1 * DAY, { opened: false }),
        sent(now - 2 * DAY, { opened: false }),
        sent(now - 3 * DAY, { opened: false, channel: "email" }),
        sent(now - 4 * DAY, { opened: false, category: "transactional" }),
        sent(now - 5 * DAY, { opened: true }),
      ],
    });
    expect(decide(send(), c, p, now).kind).toBe("allow");
    // The three unopened email sends are not a streak for SMS, and transactional is never streaked.
    expect(
      decide(
        send("transactional"),
        contact({
          recentSends: [1, 2, 3].map((d) =>
            sent(now - d * DAY, { opened: false, category: "transactional" }),
          ),
        }),
        p,
        now,
      ).kind,
    ).toBe("allow");
  });

  it("sends before the end of the last expired cooldown are not counted again", () => {
    const sends = [40, 41, 42].map((d) => sent(now - d * DAY, { opened: false }));
    const c = contact({
      recentSends: sends,
      cooldowns: [{ scope: "promotional", until: now - 5 * DAY, reason: "unopened streak" }],
    });
    expect(decide(send(), c, p, now).kind).toBe("allow");
    // Without the record, the old streak would start a new cooldown.
    expect(decide(send(), contact({ recentSends: sends }), p, now).kind).toBe("suppress");
  });

  it("unopenedStreak: null disables it", () => {
    const c = contact({
      recentSends: [1, 2, 3].map((d) => sent(now - d * DAY, { opened: false })),
    });
    expect(decide(send(), c, policy({ caps: [], unopenedStreak: null }), now).kind).toBe("allow");
  });
});

describe("cooldown", () => {
  const until = now + 10 * DAY;

  it("suppresses promotional but not transactional", () => {
    const c = contact({ cooldowns: [{ scope: "promotional", until, reason: "3 unopened" }] });
    expect(decide(send(), c, p, now)).toEqual({
      kind: "suppress",
      reason: "cooldown",
      detail: "promotional cooldown until 2025-06-12 12:00 Asia/Shanghai (3 unopened)",
    });
    expect(decide(send("transactional"), c, p, now).kind).toBe("allow");
  });

  it("scope all is a full pause", () => {
    const c = contact({ cooldowns: [{ scope: "all", until }] });
    expect(decide(send("transactional"), c, p, now)).toMatchObject({
      kind: "suppress",
      reason: "cooldown",
    });
  });

  it("an expired cooldown does nothing", () => {
    const c = contact({ cooldowns: [{ scope: "promotional", until: now }] });
    expect(decide(send(), c, p, now).kind).toBe("allow");
  });

  it("takes precedence over the streak and caps (no new cooldown while one is active)", () => {
    const c = contact({
      cooldowns: [{ scope: "promotional", until }],
      recentSends: [1, 2, 3, 4].map((d) => sent(now - d * DAY, { opened: false })),
    });
    const d = decide(send(), c, policy(), now);
    expect(d).toMatchObject({ kind: "suppress", reason: "cooldown" });
    expect(d).not.toHaveProperty("startCooldown");
  });
});
