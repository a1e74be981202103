import { isOverBudget } from "./budget.ts";
import { errorMessage, liquid, parseCached } from "./engine.ts";

type Failed = { ok: false; error: string; overBudget: boolean };
export type VariablesResult = { ok: true; variables: string[] } | Failed;
export type SegmentsResult = { ok: true; segments: string[][] } | Failed;

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The context variables a template reads, each as its static path segments, deduplicated,
 * in liquidjs's analysis order (roughly source order; filter arguments may come first).
 * Loop and `assign` locals are excluded (liquidjs's global analysis). A dynamic index
 * (`user.items[event.i]`) ends the path at `user.items`; `event.i` is reported on its own. Numeric indices are kept as strings ("0").
 */
export function templateVariableSegments(template: string): SegmentsResult {
  const parsed = parseCached(template);
  if (!parsed.ok) return parsed;
  try {
    const seen = new Set<string>();
    const segments: string[][] = [];
    for (const raw of liquid.globalVariableSegmentsSync(parsed.template)) {
      const path: string[] = [];
      for (const seg of raw) {
        if (typeof seg === "string" || typeof seg === "number") path.push(String(seg));
        else break;
      }
      const key = JSON.stringify(path);
      if (path.length > 0 && !seen.has(key)) {
        seen.add(key);
        segments.push(path);
      }
    }
    return { ok: true, segments };
  } catch (err) {
    return { ok: false, error: errorMessage(err), overBudget: isOverBudget(err) };
  }
}

/** Dotted form of a path: `user.firstName`, `user.items[0].sku`, `user["first name"]`. */
export function formatVariablePath(segments: readonly string[]): string {
  return segments
    .map((seg, i) => {
      if (/^\d+$/.test(seg) && i > 0) return `[${seg}]`;
      if (IDENT.test(seg)) return i === 0 ? seg : `.${seg}`;
      return `[${JSON.stringify(seg)}]`;
    })
    .join("");
}

/**
 * Variable paths referenced by a template (e.g. `user.firstName`, `event.properties.sku`),
 * for rejecting unknown variables at validation time. Parse errors (including unknown
 * filters and the disabled include/render tags) come back as `{ ok: false }`.
 */
export function templateVariables(template: string): VariablesResult {
  const result = templateVariableSegments(template);
  if (!result.ok) return result;
  return { ok: true, variables: result.segments.map(formatVariablePath) };
}

// An output or `assign` whose value goes through the `default` filter: the author has said a
// missing value is expected (`{{ user.nickname | default: "there" }}`), so its variables are
// not reported as unknown. Matched in the source; nothing of it spans another tag's `}}`/`%}`.
const DEFAULTED =
  /\{\{(?:(?!\}\})[\s\S])*?\|\s*default\b(?:(?!\}\})[\s\S])*?\}\}|\{%-?\s*assign\b(?:(?!%\})[\s\S])*?\|\s*default\b(?:(?!%\})[\s\S])*?%\}/g;

/**
 * The variables a template reads without a `default` fallback (see DEFAULTED): what
 * validation checks against the names the workspace has seen.
 */
export function undefaultedVariableSegments(template: string): SegmentsResult {
  return templateVariableSegments(template.replace(DEFAULTED, ""));
}
