import { assertNever } from "../shared/assert-never.ts";
import { resolveZone } from "../time/resolve-zone.ts";
import { isValidZone } from "../time/zone.ts";
import { consentRule } from "./consent.ts";
import { cooldownRule } from "./cooldown.ts";
import { frequencyCapRule } from "./frequency-cap.ts";
import { withinHistory } from "./history.ts";
import { instantLabel } from "./labels.ts";
import { optOutRule } from "./opt-out.ts";
import { providerRule } from "./provider.ts";
import { nextOpening, quietHoursApply, quietHoursLabel, quietHoursRule } from "./quiet-hours.ts";
import type { ContactState, Decision, Policy, ReasonCode, Rule, SendRequest } from "./types.ts";
import { unopenedStreakRule } from "./unopened-streak.ts";

/**
 * Rule order, first verdict wins:
 * 1. opt-out — legal and absolute, and the first thing support must see.
 * 2. consent — legal; applies before any pressure rule.
 * 3. cooldown, 4. unopened streak — suppressions (drop). Checked before caps so a message we
 *    would drop anyway is not first deferred for weeks, and the log shows the real reason.
 * 5. frequency caps — defer (or suppress, per cap). Before quiet hours so a cap deferral is
 *    computed once and pushed through quiet hours here, instead of "defer to 08:00" followed
 *    at 08:00 by "defer 12 days for the cap" (two hops, and a log blaming quiet hours).
 * 6. the provider's own window and per-phone daily limit — defer (China's SMS providers).
 * 7. quiet hours — only shifts time, never drops.
 * Rules 3–6 run for every category; which categories they touch is data: cooldown scope,
 * caps' category (defaults: promotional only), streaks promotional only, `quietHoursFor`.
 */
export const RULES: readonly { name: string; rule: Rule }[] = [
  { name: "opt-out", rule: optOutRule },
  { name: "consent", rule: consentRule },
  { name: "cooldown", rule: cooldownRule },
  { name: "unopened-streak", rule: unopenedStreakRule },
  { name: "frequency-cap", rule: frequencyCapRule },
  { name: "provider", rule: providerRule },
  { name: "quiet-hours", rule: quietHoursRule },
];

/**
 * Whether `send` may go to `contact` at `now`. Pure: same inputs, same decision.
 * Guarantee: for a defer, `until > now`, and if the category is subject to quiet hours then
 * `until` is inside the sending window — so `decide` at `until`, with the same history,
 * does not defer for quiet hours again (tests/engine/rules/decide.property.test.ts).
 * Throws RangeError on a malformed policy (bad "HH:MM" or ISO duration): validate policies
 * when they are saved; contact data, by contrast, is never fatal (bad zones fall back).
 */
export function decide(
  send: SendRequest,
  contactState: ContactState,
  policy: Policy,
  now: number,
): Decision {
  const contact = withinHistory(contactState, now);
  // An invalid workspace zone must not stop every send from deciding: fall back to UTC.
  const workspaceZone = isValidZone(policy.workspaceTimezone) ? policy.workspaceTimezone : "UTC";
  const { zone } = resolveZone(contact, workspaceZone);

  for (const { rule } of RULES) {
    const verdict = rule(send, contact, policy, now, zone);
    if (verdict === null) continue;
    switch (verdict.kind) {
      case "allow":
      case "suppress":
        return verdict;
      case "defer":
        return landInWindow(verdict, send, policy, now);
      default:
        return assertNever(verdict);
    }
  }
  return { kind: "allow", zone };
}

/** Push a deferral out of quiet hours so the send resumes in the window (DST-correct). */
function landInWindow(
  d: Extract<Decision, { kind: "defer" }>,
  send: SendRequest,
  policy: Policy,
  now: number,
): Decision {
  const until = Math.max(d.until, now + 1);
  const window = policy.quietHours;
  if (!window || !quietHoursApply(policy, send.category)) return { ...d, until };
  const opening = nextOpening(until, window, d.zone);
  if (opening === until) return { ...d, until };
  return {
    ...d,
    until: opening,
    detail: `${d.detail}; then to ${instantLabel(opening, d.zone)} — ${quietHoursLabel(window)}`,
  };
}

/** One-line explanation of a reason code, for support staff and the log. */
export function describeReason(code: ReasonCode): string {
  switch (code) {
    case "opted_out":
      return "The contact opted out (e.g. replied STOP/TD); nothing is sent on that channel.";
    case "no_consent":
      return "The contact has not consented to this category on this channel.";
    case "quiet_hours":
      return "Outside the sending window in the contact's local time; held until it opens.";
    case "frequency_cap":
      return "Too many messages of this category on this channel recently, across all journeys.";
    case "cooldown":
      return "The contact is in a cooldown: no messages of this category until it ends.";
    case "unopened_streak":
      return "Several messages in a row went unopened; the contact was put in a cooldown.";
    case "provider_window":
      return "Outside the hours the SMS provider sends promotional messages (China: 08:00–22:00); held until they open.";
    case "provider_limit":
      return "The SMS provider's daily limit of messages to one phone was reached; held until its next day.";
    default:
      return assertNever(code);
  }
}
