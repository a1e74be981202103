import { addDuration } from "../time/duration.ts";
import { cooldownCovers } from "./cooldown.ts";
import { channelLabel, durationLabel, instantLabel } from "./labels.ts";
import type { Rule } from "./types.ts";

/**
 * DOMAIN: "after 3 consecutive unopened messages a user goes into a cooldown". Applies to
 * promotional sends on the send's channel; the streak is the run of unopened promotional
 * sends on that channel, most recent first, that comes after
 *  - the most recent opened one (an open resets it), and
 *  - the end of the most recent expired cooldown covering promotional (those sends were
 *    already paid for; without this, the day a cooldown ends the same three unopened sends
 *    would start another one, forever — so the server should keep the last expired cooldown).
 * The send is suppressed and `startCooldown` (scope "promotional") asks the caller to record
 * the cooldown; an active cooldown is handled earlier by the cooldown rule.
 */
export const unopenedStreakRule: Rule = (send, contact, policy, now, zone) => {
  const streakPolicy = policy.unopenedStreak;
  if (!streakPolicy || streakPolicy.count <= 0 || send.category !== "promotional") return null;

  const lastCooldownEnd = contact.cooldowns
    .filter((c) => c.until <= now && cooldownCovers(c, "promotional"))
    .reduce((max, c) => Math.max(max, c.until), Number.NEGATIVE_INFINITY);

  const sends = contact.recentSends
    .filter(
      (s) => s.channel === send.channel && s.category === "promotional" && s.at > lastCooldownEnd,
    )
    .sort((a, b) => b.at - a.at);

  let streak = 0;
  for (const s of sends) {
    if (s.opened) break;
    streak++;
  }
  if (streak < streakPolicy.count) return null;

  const until = addDuration(now, streakPolicy.cooldown, zone);
  return {
    kind: "suppress",
    reason: "unopened_streak",
    detail:
      `last ${streak} promotional ${channelLabel(send.channel)} unopened (limit ${streakPolicy.count}); ` +
      `cooldown of ${durationLabel(streakPolicy.cooldown)} until ${instantLabel(until, zone)}`,
    startCooldown: { scope: "promotional", until },
  };
};
