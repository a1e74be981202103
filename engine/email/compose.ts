import type { Category } from "../shared/channels.ts";
import { type RenderOptions, renderTemplate, type TemplateVars } from "../template/index.ts";
import type { EmailContent, EmailFields } from "./spec.ts";

/**
 * An email as the send step renders it (engine/nodes/send.ts), and as previews show it: subject,
 * preheader, HTML and text, each a Liquid template over the same variables, with tracked links
 * through the same `trackLink` so a `| track` in the HTML is a link the runtime resolves. The
 * unsubscribe link and the open pixel are not here: they carry a token signed for the message
 * row, which exists only once the outbox holds it (server/delivery/providers/email-smtp.ts).
 */

export type EmailSpec = {
  category: Category;
  /** The text/plain body. */
  template: string;
  email?: EmailFields | undefined;
};

export type ComposedEmail =
  | { ok: true; text: string; content: EmailContent }
  | {
      ok: false;
      error: string;
      overBudget: boolean;
      field: "subject" | "preheader" | "html" | "template";
    };

/**
 * Renders every part; the first that fails names the field. `fallbackSubject` (the journey's
 * name) stands in for an email send written before sends had subjects.
 */
export function composeEmail(
  spec: EmailSpec,
  vars: TemplateVars,
  opts: RenderOptions,
  fallbackSubject: string,
): ComposedEmail {
  const text = renderTemplate(spec.template, vars, opts);
  if (!text.ok) return { ...text, field: "template" };
  const e = spec.email;
  const subject = e
    ? renderTemplate(e.subject, vars, opts)
    : { ok: true as const, text: fallbackSubject };
  if (!subject.ok) return { ...subject, field: "subject" };
  let preheader: string | null = null;
  if (e?.preheader !== undefined) {
    const r = renderTemplate(e.preheader, vars, opts);
    if (!r.ok) return { ...r, field: "preheader" };
    preheader = oneLine(r.text);
  }
  let html: string | null = null;
  if (e?.html !== undefined) {
    // The people's data goes into markup: escaped, so a first name of "<img onerror=…>" is text.
    const r = renderTemplate(e.html, htmlEscapedVars(vars), opts);
    if (!r.ok) return { ...r, field: "html" };
    html = preheader ? withPreheader(r.text, preheader) : r.text;
  }
  return {
    ok: true,
    text: text.text,
    content: {
      subject: oneLine(subject.text),
      html,
      preheader,
      from: e?.from ?? null,
      replyTo: e?.replyTo ?? null,
    },
  };
}

/** A header value is one line: CR/LF in a rendered subject would start a header of its own. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ").trim();
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * The inbox shows the first text of the body after the subject: a hidden block first in the
 * HTML (the usual display:none + zero-size recipe, which Gmail, Apple Mail and Outlook honour).
 */
export function withPreheader(html: string, preheader: string): string {
  const block = `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${escapeHtml(preheader)}</div>`;
  const body = /<body[^>]*>/i.exec(html);
  if (!body) return block + html;
  const at = body.index + body[0].length;
  return html.slice(0, at) + block + html.slice(at);
}

/** Strings anywhere in the variables, escaped; depth-limited like the data it walks. */
function htmlEscapedVars(vars: TemplateVars): TemplateVars {
  const out: TemplateVars = { user: {}, event: {} };
  for (const [k, v] of Object.entries(vars)) {
    if (v !== undefined) out[k] = escapeValue(v, 0) as Record<string, unknown>;
  }
  return out;
}

function escapeValue(v: unknown, depth: number): unknown {
  if (typeof v === "string") return escapeHtml(v);
  if (depth > 16 || typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => escapeValue(x, depth + 1));
  // A literal with computed keys: a `__proto__` attribute stays an own property.
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, escapeValue(x, depth + 1)]),
  );
}
