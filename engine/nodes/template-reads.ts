import { isReservedName } from "../format/primitives.ts";
import { templateVariableSegments } from "../template/index.ts";
import { type Issue, issue } from "../validate/issue.ts";

/** Template roots a journey may read; journey.* is limited to what the engine passes. */
const ROOTS = new Set(["user", "event", "journey"]);
const JOURNEY_FIELDS = new Set(["id", "name"]);

/** Reads a template may not make: reserved names, unknown roots, whole objects. */
export function variableIssues(
  segments: readonly string[][],
  path: (string | number)[],
  nodeId: string,
): Issue[] {
  const out: Issue[] = [];
  for (const segs of segments) {
    const [root, field] = segs;
    const name = segs.join(".");
    if (segs.some(isReservedName)) {
      const msg = `"${name}" reads ${segs.find(isReservedName)}, which templates may not read`;
      out.push(issue("reserved_name", msg, path, nodeId));
    } else if (root === undefined || !ROOTS.has(root)) {
      const msg = `unknown variable "${name}": templates read user.*, event.* and journey.id / journey.name`;
      out.push(issue("unknown_template_variable", msg, path, nodeId, { name }));
    } else if (root === "journey" && (field === undefined || !JOURNEY_FIELDS.has(field))) {
      out.push(
        issue(
          "unknown_template_variable",
          `unknown variable "${name}": journey has id and name`,
          path,
          nodeId,
          { name },
        ),
      );
    } else if (segs.length === 1) {
      out.push(
        issue(
          "unknown_template_variable",
          `"${name}" is an object; read a field such as ${name}.id`,
          path,
          nodeId,
          { name },
        ),
      );
    }
  }
  return out;
}

/**
 * The Liquid fields of a channel's content (an email's subject, a push's title…): each one that
 * is set must parse within budget and read only what templates may read.
 */
export function templateFieldIssues(
  fields: Readonly<Record<string, string | undefined>>,
  base: (string | number)[],
  nodeId: string,
): Issue[] {
  const out: Issue[] = [];
  for (const [field, source] of Object.entries(fields)) {
    if (source === undefined) continue;
    const path = [...base, field];
    const parsed = templateVariableSegments(source);
    if (!parsed.ok) {
      const code = parsed.overBudget ? "template_budget" : "template_syntax";
      out.push(issue(code, `${field}: ${parsed.error}`, path, nodeId));
    } else out.push(...variableIssues(parsed.segments, path, nodeId));
  }
  return out;
}
