import type { Journey } from "../../../engine/index.ts";
import { signalEvents } from "../../../engine/nodes/branch.ts";
import { entryEventOf } from "../../../engine/nodes/registry.ts";

/**
 * Event names this journey already uses (trigger, event branches, exit and goal events), for
 * the event pickers' suggestions: a marketer picks `purchased` from the list instead of
 * typing `purchase` in one place and `purchased` in another.
 */
export function eventNames(doc: Journey): string[] {
  const names = new Set<string>();
  for (const n of doc.nodes) {
    if (n.type === "trigger" && n.trigger.kind === "event") names.add(n.trigger.event);
    if (n.type === "branch" && n.branch.kind === "event") names.add(n.branch.event);
  }
  for (const m of doc.settings?.exitOn ?? []) names.add(m.event);
  if (doc.settings?.goal) names.add(doc.settings.goal.event);
  // The engine's own message events, which branches and exit rules may also name.
  for (const e of [...signalEvents("delivered"), ...signalEvents("opened")]) names.add(e);
  names.delete("");
  return [...names];
}

export function sendNodeIds(doc: Journey): string[] {
  return doc.nodes.filter((n) => n.type === "send").map((n) => n.id);
}

/**
 * What a new event field starts with. The trigger's: nothing (the marketer names the event
 * that starts the journey; the empty field is a validation error until then) — never the first
 * suggestion, which on a new journey is the engine's `message.delivered` (issue 16). Any other
 * (a goal, an exit rule, an event branch or wait): the first customer event the journey already
 * names that is not the trigger's own, since a goal or exit on the entering event would fire
 * at once; else nothing.
 */
export function defaultEvent(doc: Journey, forTrigger: boolean): string {
  if (forTrigger) return "";
  const own = entryEventOf(doc);
  return eventNames(doc).find((e) => e !== own && !e.startsWith("message.")) ?? "";
}
