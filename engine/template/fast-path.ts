import { Output, type Template, TokenKind, TypeGuards } from "liquidjs";

/**
 * Most SMS templates are text with plain variables ("Hi {{ user.firstName }}, your code
 * {{ user.coupon }}"). For those, Liquid's interpreter costs ~9 µs per render (the ticker's CPU
 * profile: a quarter of the engine's step); concatenating the parts costs well under one. A plan
 * exists only when every part is literal text or a filter-free `root.a.b` lookup, and `run`
 * gives up (undefined → render with Liquid) whenever a value is anything but a string, a finite
 * number or missing, so the output is Liquid's own (tests/engine/template-fast-path.test.ts
 * checks it against liquidjs on generated templates and values).
 */
export type FastPlan = readonly (string | readonly string[])[];

/** Property names Liquid answers itself (`size` of a string or array, `first`, `last`). */
const SPECIAL = new Set(["size", "first", "last"]);

const plans = new WeakMap<Template[], FastPlan | null>();

export function fastPlan(template: Template[]): FastPlan | null {
  let plan = plans.get(template);
  if (plan === undefined) {
    plan = buildPlan(template);
    plans.set(template, plan);
  }
  return plan;
}

function buildPlan(template: Template[]): FastPlan | null {
  const out: (string | string[])[] = [];
  for (const part of template) {
    if (part.token.kind === TokenKind.HTML) {
      const str = (part as Template & { str?: unknown }).str;
      if (typeof str !== "string") return null;
      out.push(str);
      continue;
    }
    if (!(part instanceof Output) || part.value.filters.length > 0) return null;
    const postfix = part.value.initial.postfix;
    const token = postfix[0];
    if (postfix.length !== 1 || !token || !TypeGuards.isPropertyAccessToken(token)) return null;
    if (token.variable !== undefined) return null;
    const path: string[] = [];
    for (const prop of token.props) {
      if (!TypeGuards.isWordToken(prop) || SPECIAL.has(prop.content)) return null;
      path.push(prop.content);
    }
    // A bare root (`{{ user }}`) prints an object: leave that to Liquid.
    if (path.length < 2) return null;
    out.push(path);
  }
  return out;
}

/** The rendered text, or undefined when a value needs Liquid's own formatting. */
export function runPlan(plan: FastPlan, vars: Record<string, unknown>): string | undefined {
  let text = "";
  for (const part of plan) {
    if (typeof part === "string") {
      text += part;
      continue;
    }
    let value: unknown = vars;
    for (const key of part) {
      if (value === null || value === undefined) break;
      if (typeof value !== "object" || Array.isArray(value)) return undefined;
      value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (typeof value === "string") text += value;
    else if (typeof value === "number" && Number.isFinite(value)) text += String(value);
    else if (value !== undefined && value !== null) return undefined;
  }
  return text;
}
