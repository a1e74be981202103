import { addDuration } from "../time/duration.ts";
import { nextLocalMidnight, startOfLocalDay } from "../time/time-of-day.ts";
import { durationLabel, instantLabel, sendLabel } from "./labels.ts";
import type { CapRule, Rule, SendRequest, SentMessage } from "./types.ts";

/**
 * Frequency caps per channel + category, counted across ALL journeys: the contact's phone
 * buzzes the same whichever journey sent the message.
 *
 * Rolling window W: a past send counts while `addDuration(send.at, W, zone) > now`. Defining
 * it from the send's side (rather than `send.at > now - W`) makes the deferral exact under
 * calendar arithmetic: at `until = addDuration(oldest needed send.at, W)` the count has
 * dropped below the cap by construction, so a re-decision at `until` passes.
 * Sends stamped after `now` (clock skew between workers) count too: over-counting delays a
 * message, under-counting spams.
 *
 * `calendar_day`: sends within the contact's current LOCAL day; a deferral goes to the next
 * local midnight (and then, via decide, to the quiet-hours opening).
 */
type CapOutcome = { rule: CapRule; count: number; until: number };

function sameStream(
  a: Pick<SendRequest, "channel" | "category">,
  b: Pick<SendRequest, "channel" | "category">,
): boolean {
  return a.channel === b.channel && a.category === b.category;
}

function evaluateCap(
  rule: CapRule,
  sends: SentMessage[],
  now: number,
  zone: string,
): CapOutcome | null {
  // A cap of 0 never frees: treat it as a block, whatever onExceed says.
  if (rule.max <= 0) return { rule, count: sends.length, until: Number.POSITIVE_INFINITY };
  if (rule.window === "calendar_day") {
    const dayStart = startOfLocalDay(now, zone);
    const dayEnd = nextLocalMidnight(now, zone);
    const count = sends.filter((s) => s.at >= dayStart && s.at < dayEnd).length;
    return count >= rule.max ? { rule, count, until: dayEnd } : null;
  }
  const window = rule.window;
  const expiries = sends.map((s) => addDuration(s.at, window, zone)).filter((end) => end > now);
  if (expiries.length < rule.max) return null;
  // The cap frees when all but (max - 1) of the counted sends have expired.
  expiries.sort((a, b) => a - b);
  const until = expiries[expiries.length - rule.max] ?? now;
  return { rule, count: expiries.length, until };
}

function capDetail(o: CapOutcome, send: SendRequest, zone: string): string {
  const what = `${o.count} ${sendLabel(send.category, send.channel)}`;
  const when =
    o.rule.window === "calendar_day"
      ? `today (${zone})`
      : `in the last ${durationLabel(o.rule.window)}`;
  return `${what} ${when} (cap ${o.rule.max})`;
}

export function capsFor(send: SendRequest, caps: readonly CapRule[]): CapRule[] {
  return caps.filter((c) => sameStream(c, send));
}

export const frequencyCapRule: Rule = (send, contact, policy, now, zone) => {
  const rules = capsFor(send, policy.caps);
  if (rules.length === 0) return null;
  const sends = contact.recentSends.filter((s) => sameStream(s, send));
  const exceeded = rules
    .map((r) => evaluateCap(r, sends, now, zone))
    .filter((o): o is CapOutcome => o !== null);
  if (exceeded.length === 0) return null;

  const suppressing = exceeded.find(
    (o) => o.rule.onExceed === "suppress" || !Number.isFinite(o.until),
  );
  if (suppressing) {
    return {
      kind: "suppress",
      reason: "frequency_cap",
      detail: capDetail(suppressing, send, zone),
    };
  }
  // Several caps exceeded: wait for the one that frees last. With the history fixed, counts
  // only fall as time passes, so at that instant every cap has freed.
  const binding = exceeded.reduce((a, b) => (b.until > a.until ? b : a));
  return {
    kind: "defer",
    until: binding.until,
    reason: "frequency_cap",
    detail: `${capDetail(binding, send, zone)}; deferred to ${instantLabel(binding.until, zone)}`,
    zone,
  };
};
