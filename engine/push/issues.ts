import type { SendNode } from "../nodes/send.ts";
import { templateFieldIssues } from "../nodes/template-reads.ts";
import type { ValidateContext } from "../nodes/types.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { splitWebhookUrl } from "../webhook/compose.ts";

/**
 * A push send's fields: refused on another channel (they would be ignored), a missing title
 * warned (the journey's name stands in), each URL an http(s) one whose host no template writes
 * (the icon https only: browsers refuse mixed content), and every field's reads checked like the
 * body's.
 */
export function pushIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const p = node.send.push;
  const base = [...ctx.path, "send", "push"];
  if (node.send.channel !== "push") {
    if (!p) return [];
    const msg = `title, icon and click URL are for push sends; this send goes by ${node.send.channel}`;
    return [issue("push_fields_wrong_channel", msg, base, node.id, { channel: node.send.channel })];
  }
  if (!p) {
    const msg = `push without a title: the journey's name "${ctx.journey.name}" is shown as the title`;
    return [issue("push_no_title", msg, base, node.id, { journey: ctx.journey.name })];
  }
  const out: Issue[] = [];
  for (const field of ["icon", "url"] as const) {
    const source = p[field];
    if (source === undefined) continue;
    const split = splitWebhookUrl(source);
    const https = split?.origin.toLowerCase().startsWith("https://") ?? false;
    if (!split || (field === "icon" && !https) || /\s/.test(source.replace(LIQUID, ""))) {
      const what =
        field === "icon"
          ? "the icon must be an https:// URL"
          : "the click URL must be an http(s):// URL";
      const msg = `${what} whose host has no Liquid (Liquid goes in the path and query), without spaces`;
      out.push(issue("push_url_invalid", msg, [...base, field], node.id));
    }
  }
  const { title, icon, url } = p;
  out.push(...templateFieldIssues({ title, icon, url }, base, node.id));
  return out;
}

const LIQUID = /\{\{[^}]*\}\}|\{%[^%]*%\}/g;
