import type { Journey } from "../format/journey.ts";
import { didYouMean } from "../shared/edit-distance.ts";
import { own } from "../shared/own.ts";
import { formatVariablePath, undefaultedVariableSegments } from "../template/index.ts";
import { type Issue, issue } from "../validate/issue.ts";

/**
 * The names a workspace has seen, passed in by the caller (the server reads them from its
 * contacts and events, server/contacts/sql/template-names.ts): validation stays pure.
 */
export type TemplateNames = {
  /** Keys of contacts' attributes. Absent or empty: `user.*` is not checked (nothing seen yet). */
  user?: readonly string[];
  /** Property names per event name; an event missing here was not seen, and is not checked. */
  events?: Readonly<Record<string, readonly string[]>>;
};

/**
 * `user` fields every contact has besides its attributes (engine/sms/compose.ts templateUser):
 * phone and timezone are not among them (the phone is stored encrypted, neither is passed).
 */
export const BUILT_IN_USER_FIELDS = ["id", "email", "locale"] as const;

/** The trigger's event, whose properties `event.*` reads; null for other triggers. */
function triggerEvent(journey: Journey): string | null {
  for (const n of journey.nodes) {
    if (n.type === "trigger" && n.trigger.kind === "event") return n.trigger.event;
  }
  return null;
}

/**
 * Attributes this journey's update nodes write: its templates may read them before any contact
 * of the workspace has them (a new `winback_attempts` counter is not a typo).
 */
function writtenAttributes(journey: Journey): string[] {
  return journey.nodes.flatMap((n) => (n.type === "update" ? [n.update.attribute] : []));
}

/**
 * Warnings for `user.*` and `event.*` reads that no contact or event of this workspace has,
 * with the nearest known name ("did you mean firstName?"). A read through `default:` is not
 * reported: the author expects it to be missing sometimes. Warnings, not errors: a new attribute
 * may arrive with the first identify after publishing.
 */
export function unknownNameWarnings(
  template: string,
  names: TemplateNames,
  journey: Journey,
  path: (string | number)[],
  nodeId: string,
): Issue[] {
  const user =
    names.user && names.user.length > 0
      ? new Set([...names.user, ...BUILT_IN_USER_FIELDS, ...writtenAttributes(journey)])
      : null;
  const eventName = triggerEvent(journey);
  const props = eventName !== null && names.events ? own(names.events, eventName) : undefined;
  const event = props ? new Set(props) : null;
  if (!user && !event) return [];
  const parsed = undefaultedVariableSegments(template);
  if (!parsed.ok) return [];
  const out: Issue[] = [];
  for (const segs of parsed.segments) {
    const [root, field] = segs;
    if (field === undefined) continue;
    const known = root === "user" ? user : root === "event" ? event : null;
    if (!known || known.has(field)) continue;
    const read = formatVariablePath([root as string, field]);
    const guess = didYouMean(field, known);
    const hint = guess ? `; did you mean ${root}.${guess}?` : ".";
    const suggestion = guess ? { suggestion: `${root}.${guess}` } : {};
    const tail = ` It renders empty (add | default: "…" if that is expected).`;
    out.push(
      root === "user"
        ? issue(
            "template_unknown_attribute",
            `${read}: no contact has this attribute${hint}${tail}`,
            path,
            nodeId,
            { name: read, ...suggestion },
          )
        : issue(
            "template_unknown_event_property",
            `${read}: no "${eventName}" event has this property${hint}${tail}`,
            path,
            nodeId,
            { name: read, event: eventName ?? "", ...suggestion },
          ),
    );
  }
  return out;
}
