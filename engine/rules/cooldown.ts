import type { Category } from "../shared/channels.ts";
import { instantLabel } from "./labels.ts";
import type { Cooldown, Rule } from "./types.ts";

export function cooldownCovers(cooldown: Cooldown, category: Category): boolean {
  return cooldown.scope === "all" || cooldown.scope === category;
}

/** A cooldown node set to `other_journeys` lets the journey that started it keep sending. */
export function cooldownHolds(cooldown: Cooldown, send: { journeyId: string }): boolean {
  return !(cooldown.applies === "other_journeys" && cooldown.journeyId === send.journeyId);
}

/**
 * An active cooldown (until > now) covering the send's category suppresses it. Cooldowns
 * started automatically (unopened streak) are scoped "promotional", so receipts still flow;
 * scope "all" is a deliberate full pause (e.g. set by support) and covers every category.
 * A cooldown node's `applies: "other_journeys"` exempts the sends of the journey that started it.
 * Suppress, not defer: a win-back message held for 30 days would arrive out of context.
 */
export const cooldownRule: Rule = (send, contact, _policy, now, zone) => {
  const active = contact.cooldowns.filter(
    (c) => c.until > now && cooldownCovers(c, send.category) && cooldownHolds(c, send),
  );
  if (active.length === 0) return null;
  const longest = active.reduce((a, b) => (b.until > a.until ? b : a));
  const why = longest.reason ? ` (${longest.reason})` : "";
  return {
    kind: "suppress",
    reason: "cooldown",
    detail: `${longest.scope === "all" ? "full" : longest.scope} cooldown until ${instantLabel(longest.until, zone)}${why}`,
  };
};
