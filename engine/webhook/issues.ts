import type { SendNode } from "../nodes/send.ts";
import { variableIssues } from "../nodes/template-reads.ts";
import type { ValidateContext } from "../nodes/types.ts";
import { templateVariableSegments } from "../template/index.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { splitWebhookUrl } from "./compose.ts";
import { HEADER_NAME, isRefusedHeader, type WebhookFields } from "./spec.ts";

/** A Liquid source of the request and where it sits, for the send's template checks. */
export type WebhookSource = { source: string; path: (string | number)[] };

/**
 * What the schema admits but a request must not be: a URL that is not http(s) or whose host
 * comes from a template, headers the HTTP client owns or that split a header in two, a body
 * on GET. `base` is the path of `send.webhook`.
 */
export function webhookFieldIssues(
  w: WebhookFields,
  base: (string | number)[],
  nodeId: string,
): Issue[] {
  const out: Issue[] = [];
  if (!splitWebhookUrl(w.url)) {
    const msg =
      "the URL must start with http:// or https:// and a host without Liquid or credentials (Liquid goes in the path and query)";
    out.push(issue("webhook_url_invalid", msg, [...base, "url"], nodeId));
  } else if (hasControlOrSpace(w.url.replace(/\{\{[^}]*\}\}|\{%[^%]*%\}/g, ""))) {
    const msg = "the URL holds spaces or control characters outside its Liquid tags";
    out.push(issue("webhook_url_invalid", msg, [...base, "url"], nodeId));
  }
  for (const [name, value] of Object.entries(w.headers ?? {})) {
    const path = [...base, "headers", name];
    if (!HEADER_NAME.test(name)) {
      const msg = `"${name.replace(/[\r\n]/g, "⏎")}" is not a header name (letters, digits and !#$%&'*+.^_\`|~-)`;
      out.push(issue("webhook_header_refused", msg, path, nodeId, { header: name }));
    } else if (isRefusedHeader(name)) {
      const msg = `${name} is set by Waymark's HTTP client and cannot be set by a send`;
      out.push(issue("webhook_header_refused", msg, path, nodeId, { header: name }));
    } else if (/[\r\n]/.test(value) || value.includes("\0")) {
      const msg = `the value of ${name} holds a line break, which would start a header of its own`;
      out.push(issue("webhook_header_refused", msg, path, nodeId, { header: name }));
    }
  }
  if (w.method === "GET" && w.body !== undefined) {
    const msg = "a GET request has no body; choose POST, PUT or PATCH or remove the body";
    out.push(issue("webhook_body_on_get", msg, [...base, "body"], nodeId));
  }
  return out;
}

/** Every Liquid source of the request: the URL, each header value, each string of the body. */
export function webhookSources(w: WebhookFields, base: (string | number)[]): WebhookSource[] {
  const out: WebhookSource[] = [{ source: w.url, path: [...base, "url"] }];
  for (const [name, value] of Object.entries(w.headers ?? {})) {
    out.push({ source: value, path: [...base, "headers", name] });
  }
  const walk = (v: unknown, path: (string | number)[], depth: number): void => {
    if (typeof v === "string") {
      out.push({ source: v, path });
      return;
    }
    if (depth > 32 || typeof v !== "object" || v === null) return;
    const entries: [string | number, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [i, x])
      : Object.entries(v);
    for (const [k, x] of entries) walk(x, [...path, k], depth + 1);
  };
  if (w.body !== undefined) walk(w.body, [...base, "body"], 0);
  return out;
}

/** The request fields: refused like email's on another channel, each Liquid source checked. */
export function webhookIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const w = node.send.webhook;
  if (!w) return [];
  const base = [...ctx.path, "send", "webhook"];
  if (node.send.channel !== "webhook") {
    const msg = `URL, headers and body are for webhook sends; this send goes by ${node.send.channel}`;
    return [
      issue("webhook_fields_wrong_channel", msg, base, node.id, { channel: node.send.channel }),
    ];
  }
  const out = webhookFieldIssues(w, base, node.id);
  for (const { source, path } of webhookSources(w, base)) {
    const parsed = templateVariableSegments(source);
    if (!parsed.ok) {
      const code = parsed.overBudget ? "template_budget" : "template_syntax";
      out.push(issue(code, parsed.error, path, node.id));
    } else out.push(...variableIssues(parsed.segments, path, node.id));
  }
  return out;
}

/** Spaces and C0/DEL control characters, which a URL never carries unencoded. */
function hasControlOrSpace(s: string): boolean {
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c <= 0x20 || c === 0x7f || /\s/.test(ch)) return true;
  }
  return false;
}
