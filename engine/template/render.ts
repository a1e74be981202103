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

export type RenderResult = { ok: true; text: string } | { ok: false; error: string };

const identity = (url: string) => url;

/**
 * Renders a Liquid template synchronously. Never throws: parse errors, unknown filters
 * (`strictFilters`), limits and a throwing `trackLink` all come back as `{ ok: false }`.
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
    if (text !== undefined) return { ok: true, text };
  }
  try {
    const text = withRenderSlot(
      { trackLink: opts.trackLink ?? identity, zone: opts.zone ?? "UTC" },
      () => liquid.renderSync(parsed.template, vars),
    );
    return { ok: true, text: String(text) };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}
