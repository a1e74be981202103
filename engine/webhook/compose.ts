import type { RenderOptions, TemplateVars } from "../template/index.ts";
import { renderTemplate } from "../template/index.ts";
import type { WebhookFields, WebhookRequest } from "./spec.ts";

/**
 * A webhook request as the send step renders it (engine/nodes/send.ts) and as the editor's
 * preview shows it. Each part is rendered with the escaping its place needs: the URL's values
 * URL-encoded, header values on one line, the body's strings through JSON.stringify.
 */

export type ComposedWebhook =
  | { ok: true; request: WebhookRequest }
  | { ok: false; error: string; overBudget: boolean; field: string };

/**
 * `https://host:port` and the rest. Liquid may only follow the origin: the host a request goes
 * to is the journey author's, never a contact attribute's. null when the URL does not start
 * with an http(s) origin free of Liquid.
 */
export function splitWebhookUrl(url: string): { origin: string; rest: string } | null {
  const m = /^(https?:\/\/[^/?#]*)(.*)$/is.exec(url);
  const origin = m?.[1];
  if (origin === undefined || /[{}%\s@\\]/.test(origin)) return null;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return null;
  }
  if (parsed.hostname === "") return null;
  return { origin, rest: m?.[2] ?? "" };
}

export function composeWebhook(
  fields: WebhookFields,
  vars: TemplateVars,
  opts: RenderOptions,
): ComposedWebhook {
  const split = splitWebhookUrl(fields.url);
  if (!split) {
    return { ok: false, error: "not an http(s) URL", overBudget: false, field: "url" };
  }
  const rest = renderTemplate(split.rest, mapStrings(vars, encodeURIComponent), opts);
  if (!rest.ok) return { ...rest, field: "url" };
  let url: string;
  try {
    url = new URL(split.origin + rest.text).href;
  } catch {
    return { ok: false, error: "rendered URL is not a URL", overBudget: false, field: "url" };
  }
  const headers: Record<string, string> = {};
  for (const [name, source] of Object.entries(fields.headers ?? {})) {
    const r = renderTemplate(source, vars, opts);
    if (!r.ok) return { ...r, field: `headers.${name}` };
    // A contact's CR/LF would start a header of its own.
    headers[name.toLowerCase()] = r.text.replace(/[\r\n]+/g, " ").trim();
  }
  let body: string | null = null;
  if (fields.body !== undefined) {
    const r = renderJson(fields.body, vars, opts, "body", 0);
    if (!r.ok) return r;
    body = JSON.stringify(r.value);
  }
  return { ok: true, request: { method: fields.method, url, headers, body } };
}

type JsonResult =
  | { ok: true; value: unknown }
  | { ok: false; error: string; overBudget: boolean; field: string };

/** Every string of the template rendered; keys, numbers, booleans and nulls as written. */
function renderJson(
  v: unknown,
  vars: TemplateVars,
  opts: RenderOptions,
  field: string,
  depth: number,
): JsonResult {
  if (typeof v === "string") {
    const r = renderTemplate(v, vars, opts);
    return r.ok ? { ok: true, value: r.text } : { ...r, field };
  }
  if (depth > 32 || typeof v !== "object" || v === null) return { ok: true, value: v };
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const [i, x] of v.entries()) {
      const r = renderJson(x, vars, opts, `${field}[${i}]`, depth + 1);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const r = renderJson(x, vars, opts, `${field}.${k}`, depth + 1);
    if (!r.ok) return r;
    // defineProperty: a `__proto__` key in the template stays an own property.
    Object.defineProperty(out, k, { value: r.value, enumerable: true, writable: true });
  }
  return { ok: true, value: out };
}

/** Strings anywhere in the variables through `f`; depth-limited like the data it walks. */
export function mapStrings(vars: TemplateVars, f: (s: string) => string): TemplateVars {
  const out: TemplateVars = { user: {}, event: {} };
  for (const [k, v] of Object.entries(vars)) {
    if (v !== undefined) out[k] = mapValue(v, f, 0) as Record<string, unknown>;
  }
  return out;
}

function mapValue(v: unknown, f: (s: string) => string, depth: number): unknown {
  if (typeof v === "string") return f(v);
  if (typeof v === "number" || typeof v === "boolean") return f(String(v));
  if (depth > 16 || typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => mapValue(x, f, depth + 1));
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, mapValue(x, f, depth + 1)]),
  );
}
