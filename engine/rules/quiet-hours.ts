import type { Category } from "../shared/channels.ts";
import { nextTimeOfDay, parseHhmm } from "../time/time-of-day.ts";
import { localParts } from "../time/zone.ts";
import { instantLabel } from "./labels.ts";
import type { Policy, Rule } from "./types.ts";

/** Default: only marketing waits for morning; a delivery notice at 22:00 is expected. */
export const DEFAULT_QUIET_HOURS_FOR: readonly Category[] = ["promotional"];

export function quietHoursApply(policy: Policy, category: Category): boolean {
  return (
    policy.quietHours !== null &&
    (policy.quietHoursFor ?? DEFAULT_QUIET_HOURS_FOR).includes(category)
  );
}

/**
 * Whether local time at `at` is inside the allowed window [start, end) (minute precision, so
 * 20:59:59 is allowed and 21:00:00 is not). start > end means a window across midnight
 * (e.g. 20:00–02:00); start == end means no restriction. Malformed times throw RangeError:
 * policies are validated when saved.
 */
export function inSendingWindow(
  at: number,
  window: { start: string; end: string },
  zone: string,
): boolean {
  const start = parseHhmm(window.start);
  const end = parseHhmm(window.end);
  if (start === null || end === null) {
    throw new RangeError(`invalid quiet hours: ${window.start}–${window.end}`);
  }
  if (start === end) return true;
  const p = localParts(at, zone);
  const minute = p.hour * 60 + p.minute;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * The earliest instant >= `at` inside the window: `at` itself, or the next local `start`.
 * DST-correct via nextTimeOfDay (a start that falls in a spring-forward gap opens at the
 * jump, when local time first passes it — which `inSendingWindow` agrees is open). The loop
 * only matters for a window so short that a gap swallows it whole (02:30–02:45 on
 * spring-forward day): then the next day's opening is used.
 */
export function nextOpening(
  at: number,
  window: { start: string; end: string },
  zone: string,
): number {
  let t = at;
  for (let i = 0; i < 8; i++) {
    if (inSendingWindow(t, window, zone)) return t;
    t = nextTimeOfDay(t + (i === 0 ? 0 : 60_000), window.start, zone);
  }
  return t;
}

export function quietHoursLabel(window: { start: string; end: string }): string {
  return `quiet hours (sending allowed ${window.start}–${window.end})`;
}

/** Outside the window: defer to the next opening. Never suppresses (DOMAIN: never drop). */
export const quietHoursRule: Rule = (send, _contact, policy, now, zone) => {
  const window = policy.quietHours;
  if (!window || !quietHoursApply(policy, send.category)) return null;
  if (inSendingWindow(now, window, zone)) return null;
  const until = nextOpening(now, window, zone);
  return {
    kind: "defer",
    until,
    reason: "quiet_hours",
    detail: `deferred to ${instantLabel(until, zone)} — ${quietHoursLabel(window)}`,
    zone,
  };
};
