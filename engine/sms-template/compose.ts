import type { RenderOptions, TemplateVars } from "../template/index.ts";
import { renderTemplate } from "../template/index.ts";
import { signedText } from "./count.ts";
import type { SmsTemplateFields, SmsTemplateRequest } from "./spec.ts";

/** `${name}` in an approved text; the same pattern the provider's console uses. */
const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9_]{0,31})\}/g;

/** The placeholder names of an approved text, in order of first appearance. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ""))];
}

/**
 * The approved text with each placeholder replaced by its value (a placeholder without one is
 * left as typed, so the editor shows what is missing). Values are looked up in a Map: the names
 * are the template author's.
 */
export function fillPlaceholders(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
}

export type ComposedTemplateSms =
  | { ok: true; request: SmsTemplateRequest; body: string }
  | { ok: false; error: string; overBudget: boolean; field: string };

/**
 * The parameters rendered for one contact, and the text the provider will send them (the body
 * the timeline and the outbox show). Each value is rendered on its own; none is given a
 * tracked link: China's providers refuse variable links in template parameters.
 */
export function composeTemplateSms(
  fields: SmsTemplateFields,
  approvedText: string,
  vars: TemplateVars,
  opts: RenderOptions,
): ComposedTemplateSms {
  const plain: RenderOptions = opts.zone === undefined ? {} : { zone: opts.zone };
  const params: { name: string; value: string }[] = [];
  const values = new Map<string, string>();
  for (const p of fields.params) {
    const r = renderTemplate(p.value, vars, plain);
    if (!r.ok) return { ok: false, error: r.error, overBudget: r.overBudget, field: p.name };
    params.push({ name: p.name, value: r.text });
    values.set(p.name, r.text);
  }
  return {
    ok: true,
    request: { kind: "sms_template", code: fields.code, signName: fields.signName, params },
    body: signedText(fields.signName, fillPlaceholders(approvedText, values)),
  };
}
