import type { Category, Channel } from "../shared/channels.ts";
import { nextLocalMidnight, startOfLocalDay } from "../time/time-of-day.ts";
import { instantLabel } from "./labels.ts";
import { inSendingWindow, nextOpening } from "./quiet-hours.ts";
import type { Rule } from "./types.ts";

/**
 * What the channel's provider itself allows, as policy: a provider refuses (or silently drops)
 * what falls outside, so sends are held until it would take them rather than wasted.
 * Mainland China's providers send promotional SMS only 08:00–22:00 China time, whatever the
 * recipient's zone, and cap the SMS one phone gets per day (Aliyun's default, configurable in
 * its console). The runtime sets this from the configured SMS provider
 * (server/delivery/provider-rules.ts); the workspace's quiet hours still apply on top, so a
 * workspace can only tighten the window.
 */
export type ProviderRules = {
  channel: Channel;
  /** For the detail support reads ("at aliyun"). */
  provider: string;
  /** The zone the provider's window and its day are counted in. */
  zone: string;
  window: { start: string; end: string };
  /** Categories the window applies to. */
  windowFor: Category[];
  /**
   * Messages per phone number per provider day on the channel, all categories; null for none.
   * Counted from `phoneSends` (every contact with the number) when the caller loaded them.
   */
  dailyLimit: number | null;
};

/**
 * The provider's day first (a limit reached defers to the next day's opening, not to 08:00
 * today only to be deferred again), then its window. Both defer, never drop.
 */
export const providerRule: Rule = (send, contact, policy, now, zone) => {
  const rules = policy.providerRules;
  if (!rules || send.channel !== rules.channel) return null;
  const windowed = rules.windowFor.includes(send.category);
  const open = (at: number) => (windowed ? nextOpening(at, rules.window, rules.zone) : at);
  if (rules.dailyLimit !== null) {
    const dayStart = startOfLocalDay(now, rules.zone);
    const dayEnd = nextLocalMidnight(now, rules.zone);
    const sent =
      contact.phoneSends ??
      contact.recentSends.filter((s) => s.channel === rules.channel).map((s) => s.at);
    const today = sent.filter((at) => at >= dayStart && at < dayEnd).length;
    if (today >= rules.dailyLimit) {
      const until = open(dayEnd);
      return {
        kind: "defer",
        until,
        reason: "provider_limit",
        detail: `deferred to ${instantLabel(until, rules.zone)} — ${today} SMS to this phone today at ${rules.provider}, its daily limit is ${rules.dailyLimit}`,
        // The contact's zone: decide() then lands the time inside their quiet hours too.
        zone,
      };
    }
  }
  if (windowed && !inSendingWindow(now, rules.window, rules.zone)) {
    const until = open(now);
    return {
      kind: "defer",
      until,
      reason: "provider_window",
      detail: `deferred to ${instantLabel(until, rules.zone)} — ${rules.provider} sends ${send.category} SMS only ${rules.window.start}–${rules.window.end} ${rules.zone}`,
      zone,
    };
  }
  return null;
};
