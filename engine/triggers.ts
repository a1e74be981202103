import type { ContactView, JourneyEvent } from "./contact.ts";
import { calendarDate, localDateAt, parseDateValue } from "./dates.ts";
import type { Journey } from "./format/journey.ts";
import { matchesEvent } from "./match.ts";
import { definitionOf } from "./nodes/registry.ts";
import type { TriggerNode } from "./nodes/trigger.ts";
import { assertNever } from "./shared/assert-never.ts";
import { own } from "./shared/own.ts";
import { addDuration, localParts, resolveZone } from "./time/index.ts";

/**
 * Entry decisions the runtime makes before there is an enrollment: does this event start
 * one, is a date-attribute journey due for this contact, may the contact enter again.
 */

/** The journey's entry node, as its definition declares (`entry`); undefined if it has none. */
export function triggerOf(journey: Journey): TriggerNode | undefined {
  // Only the trigger's definition declares `entry`, so the node found is a TriggerNode.
  return journey.nodes.find((n) => definitionOf(n).entry) as TriggerNode | undefined;
}

/** True when `event` enrolls contacts in `journey` (event triggers: name + property filter). */
export function triggerMatches(journey: Journey, event: JourneyEvent): boolean {
  const t = triggerOf(journey)?.trigger;
  return t?.kind === "event" && matchesEvent(t, event);
}

/** A past enrollment of the contact in this journey (any version). */
export type LastEnrollment = { enteredAt: number; endedAt: number | null };

/**
 * May the contact enter again? Never while an enrollment is active; after one ended,
 * per `settings.reentry`: `never` (the default), `always`, or `after` a duration counted from
 * the previous entry (a cart reminder at most once a month, however fast the last one ended).
 */
export function canReenter(journey: Journey, last: LastEnrollment | null, now: number): boolean {
  if (last === null) return true;
  if (last.endedAt === null) return false;
  const r = journey.settings?.reentry ?? { mode: "never" as const };
  switch (r.mode) {
    case "never":
      return false;
    case "always":
      return true;
    case "after":
      return now >= addDuration(last.enteredAt, r.after, "UTC");
    default:
      return assertNever(r);
  }
}

/** Occurrences of a date trigger around a calendar year, ascending. */
function occurrences(
  journey: Journey,
  contact: ContactView,
  aroundYear: number,
  workspaceZone: string,
): number[] {
  const t = triggerOf(journey)?.trigger;
  if (t?.kind !== "date_attribute") return [];
  const value = parseDateValue(own(contact.attributes, t.attribute));
  if (!value) return [];
  const zone = resolveZone(contact, workspaceZone).zone;
  const date = calendarDate(value, zone);
  const time = t.time ?? "09:00";
  if (!t.yearly) return [localDateAt(date.year, date.month, date.day, t.offsetDays, time, zone)];
  // An offset of up to a year can move an anniversary into the neighbouring year.
  return [aroundYear - 1, aroundYear, aroundYear + 1, aroundYear + 2].map((y) =>
    localDateAt(y, date.month, date.day, t.offsetDays, time, zone),
  );
}

/**
 * The next entry instant strictly after `after` for a date-attribute journey (the birthday at
 * 09:00 local, shifted by `offsetDays`), or null: not a date trigger, attribute missing, or a
 * one-off date already past. The runtime schedules a scan at this time; the simulator uses it
 * as a virtual event.
 */
export function nextDateTrigger(
  journey: Journey,
  contact: ContactView,
  after: number,
  workspaceZone = "UTC",
): number | null {
  const year = localParts(after, "UTC").year;
  const next = occurrences(journey, contact, year, workspaceZone).find((at) => at > after);
  return next ?? null;
}

/**
 * The occurrence due at `now`: one in (now - 1 day, now], so a daily scan that runs late still
 * enrolls, and re-entry rules (`canReenter`) stop a second entry for the same occurrence.
 * Null when nothing is due.
 */
export function dateTriggerDue(
  journey: Journey,
  contact: ContactView,
  now: number,
  workspaceZone = "UTC",
): number | null {
  const year = localParts(now, "UTC").year;
  const due = occurrences(journey, contact, year, workspaceZone).filter(
    (at) => at <= now && at > now - 86_400_000,
  );
  return due.at(-1) ?? null;
}
