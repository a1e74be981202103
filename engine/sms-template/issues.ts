import type { SendNode } from "../nodes/send.ts";
import { variableIssues } from "../nodes/template-reads.ts";
import type { ValidateContext } from "../nodes/types.ts";
import { templateVariableSegments } from "../template/index.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { fillPlaceholders, placeholders } from "./compose.ts";
import { countChinaSms, signedText } from "./count.ts";

/** A placeholder value as long as a typical name or order number, for the length estimate. */
const SAMPLE = "示例1234";

/**
 * A link, or a Liquid filter that makes one. China's providers approve links only as fixed
 * text inside the template itself; a parameter that carries one is rejected (Aliyun:
 * "变量中不允许包含链接"), and shortened links are refused outright.
 */
const LINK = /(https?:\/\/|www\.|\|\s*track\b|\b[a-z0-9-]+\.(cn|com|net|top|ly|me)\/)/i;

/** Whether a parameter's Liquid value carries a link (the editor marks it as validation does). */
export function hasLink(value: string): boolean {
  return LINK.test(value);
}

/**
 * The checks a template SMS needs beyond the schema: the right channel, an approved text that
 * is the provider's (no Liquid: it cannot be changed per contact), every placeholder given a
 * value and every value a placeholder, no links in values, values whose reads are allowed, and
 * the length as the provider counts it (sign name included).
 */
export function smsTemplateIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const t = node.send.smsTemplate;
  if (!t) return [];
  const base = [...ctx.path, "send", "smsTemplate"];
  if (node.send.channel !== "sms") {
    const msg = `template code and sign name are for SMS sends; this send goes by ${node.send.channel}`;
    return [
      issue("sms_template_wrong_channel", msg, base, node.id, { channel: node.send.channel }),
    ];
  }
  const out: Issue[] = [];
  const text = node.send.template;
  const textPath = [...ctx.path, "send", "template"];
  if (/\{\{|\{%/.test(text)) {
    const msg = `the approved template text is fixed by the provider: put Liquid in the parameters' values, and \${name} placeholders in the text`;
    out.push(issue("sms_template_text_liquid", msg, textPath, node.id));
  }
  const names = placeholders(text);
  const given = new Set(node.send.smsTemplate?.params.map((p) => p.name));
  for (const name of names) {
    if (given.has(name)) continue;
    const msg = `the template's \${${name}} has no value: the provider refuses the send`;
    out.push(issue("sms_template_param_missing", msg, [...base, "params"], node.id, { name }));
  }
  t.params.forEach((p, i) => {
    const path = [...base, "params", i, "value"];
    if (!names.includes(p.name)) {
      const msg = `the approved text has no \${${p.name}}; this value is sent but never shown`;
      out.push(
        issue("sms_template_param_unused", msg, [...base, "params", i, "name"], node.id, {
          name: p.name,
        }),
      );
    }
    if (hasLink(p.value)) {
      const msg = `\${${p.name}} carries a link: China's providers forbid variable and shortened links in parameters; put a fixed link in the approved text`;
      out.push(issue("sms_template_param_link", msg, path, node.id, { name: p.name }));
    }
    const parsed = templateVariableSegments(p.value);
    if (!parsed.ok) {
      const code = parsed.overBudget ? "template_budget" : "template_syntax";
      out.push(issue(code, `\${${p.name}}: ${parsed.error}`, path, node.id));
    } else out.push(...variableIssues(parsed.segments, path, node.id));
  });
  const sample = new Map(t.params.map((p) => [p.name, SAMPLE]));
  const count = countChinaSms(signedText(t.signName, fillPlaceholders(text, sample)));
  if (count.parts > ctx.options.maxSmsParts) {
    const msg = `the SMS takes ${count.parts} parts (${count.characters} characters with sample values and the sign name, 67 per part); limit ${ctx.options.maxSmsParts}`;
    out.push(
      issue("sms_too_long", msg, textPath, node.id, {
        parts: count.parts,
        limit: ctx.options.maxSmsParts,
      }),
    );
  }
  return out;
}

/** A send the SMS provider in effect cannot take as written (ctx.options.smsProvider). */
export function smsProviderIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const provider = ctx.options.smsProvider;
  if (!provider || node.send.channel !== "sms") return [];
  const templated = node.send.smsTemplate !== undefined;
  if (provider.templates && !templated) {
    const msg = `the SMS provider in effect (${provider.name}) sends approved templates only: give this send a template code and sign name`;
    return [
      issue("sms_free_text_template_provider", msg, [...ctx.path, "send"], node.id, {
        provider: provider.name,
      }),
    ];
  }
  if (!provider.templates && templated) {
    const msg = `the SMS provider in effect (${provider.name}) sends free text: the template code and sign name are not used`;
    return [
      issue("sms_template_free_text_provider", msg, [...ctx.path, "send", "smsTemplate"], node.id, {
        provider: provider.name,
      }),
    ];
  }
  return [];
}
