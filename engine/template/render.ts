import { isOverBudget, outputOverBudget } from "./budget.ts";
import { errorMessage, liquid, parseCached, withRenderSlot } from "./engine.ts";
import { fastPlan, runPlan } from "./fast-path.ts";

/**
 * The variables a message template sees. `user` is the profile (traits), `event` the
 * triggering event, `journey` metadata; other roots may be added by the caller (which also
 * decides, at validation time, which roots a journey may reference).
 */
export type TemplateVars = {
  user: Record<string, unknown>;
  event: Record<string, unknown>;
  journey?: Record<string, unknown>;
  [root: string]: Record<string, unknown> | undefined;
};

export type RenderOptions = {
  /** Rewrites a URL into a tracked short link; the `track` filter calls it. Identity if absent. */
  trackLink?: (url: string) => string;
  /** IANA zone the `date` filter formats in by default (the recipient's); UTC if absent. */
  zone?: string;
};

/** `overBudget`: the template went over a budget (budget.ts) rather than failing on its own. */
export type RenderResult =
  | { ok: true; text: string }
  | { ok: false; error: string; overBudget: boolean };

const identity = (url: string) => url;

function checked(text: string): RenderResult {
  const over = outputOverBudget(text);
  return over === null ? { ok: true, text } : { ok: false, error: over, overBudget: true };
}

/**
 * Renders a Liquid template synchronously. Never throws: parse errors, unknown filters
 * (`strictFilters`), budgets (`overBudget: true`) and a throwing `trackLink` all come back as
 * `{ ok: false }`.
 * Missing variables render as empty strings; use `default` for fallbacks
 * (`{{ user.firstName | default: "there" }}`).
 */
export function renderTemplate(
  template: string,
  vars: TemplateVars,
  opts: RenderOptions = {},
): RenderResult {
  const parsed = parseCached(template);
  if (!parsed.ok) return parsed;
  const plan = fastPlan(parsed.template);
  if (plan) {
    const text = runPlan(plan, vars);
    if (text !== undefined) return checked(text);
  }
  try {
    const text = withRenderSlot(
      { trackLink: opts.trackLink ?? identity, zone: opts.zone ?? "UTC" },
      () => liquid.renderSync(parsed.template, vars),
    );
    return checked(String(text));
  } catch (err) {
    return { ok: false, error: errorMessage(err), overBudget: isOverBudget(err) };
  }
}
