import { type RenderOptions, renderTemplate, type TemplateVars } from "../template/index.ts";
import { mapStrings, splitWebhookUrl } from "../webhook/compose.ts";
import { PUSH_PAYLOAD_MAX_BYTES, type PushContent, type PushFields } from "./spec.ts";

/**
 * A web-push notification as the send step renders it (engine/nodes/send.ts) and as the editor's
 * preview shows it: title, body (the send's `template`), icon and click URL, each Liquid over the
 * same variables. The click URL goes through `trackLink` whole, so the notification opens our
 * tracked link and a click is counted like an SMS link's; an `| track` inside it is not needed.
 */

export type PushSpec = {
  /** The notification's body. */
  template: string;
  push?: PushFields | undefined;
};

export type ComposedPush =
  | { ok: true; body: string; content: PushContent }
  | { ok: false; error: string; overBudget: boolean; field: "title" | "icon" | "url" | "template" };

/** A provider key (a UUID) as long as the one the delivery worker puts in `tag`. */
const TAG_SAMPLE = "00000000-0000-4000-8000-000000000000";
const TITLE_MAX = 200;
/** TextEncoder, not Buffer: the editor's preview runs this in the browser. */
const utf8 = new TextEncoder();

export function composePush(
  spec: PushSpec,
  vars: TemplateVars,
  opts: RenderOptions,
  fallbackTitle: string,
): ComposedPush {
  const p = spec.push;
  const body = renderTemplate(spec.template, vars, opts);
  if (!body.ok) return { ...body, field: "template" };
  const title = p
    ? renderTemplate(p.title, vars, opts)
    : { ok: true as const, text: fallbackTitle };
  if (!title.ok) return { ...title, field: "title" };
  let icon: string | null = null;
  if (p?.icon !== undefined) {
    const r = renderUrl(p.icon, vars, opts, true);
    if (!r.ok) return { ...r, field: "icon" };
    icon = r.url;
  }
  let url: string | null = null;
  if (p?.url !== undefined) {
    const r = renderUrl(p.url, vars, opts, false);
    if (!r.ok) return { ...r, field: "url" };
    url = opts.trackLink ? opts.trackLink(r.url) : r.url;
  }
  const content: PushContent = { title: clip(oneLine(title.text), TITLE_MAX), icon, url };
  return { ok: true, body: fitBody(body.text, content), content };
}

type UrlResult = { ok: true; url: string } | { ok: false; error: string; overBudget: boolean };

/** The origin as written (no Liquid there: validation says so), the rest with encoded values. */
function renderUrl(
  source: string,
  vars: TemplateVars,
  opts: RenderOptions,
  httpsOnly: boolean,
): UrlResult {
  const split = splitWebhookUrl(source);
  if (!split || (httpsOnly && !split.origin.toLowerCase().startsWith("https://"))) {
    return { ok: false, error: `not an ${httpsOnly ? "https" : "http(s)"} URL`, overBudget: false };
  }
  // No `| track` inside: the click URL is tracked whole below, the icon never.
  const r = renderTemplate(split.rest, mapStrings(vars, encodeURIComponent), {
    ...(opts.zone ? { zone: opts.zone } : {}),
  });
  if (!r.ok) return r;
  try {
    return { ok: true, url: new URL(split.origin + r.text).href };
  } catch {
    return { ok: false, error: "rendered URL is not a URL", overBudget: false };
  }
}

/** The payload the service worker gets, as the provider builds it (server/delivery/providers/push.ts). */
export function pushPayloadJson(body: string, content: PushContent, tag: string): string {
  return JSON.stringify({
    title: content.title,
    body,
    ...(content.icon ? { icon: content.icon } : {}),
    ...(content.url ? { url: content.url } : {}),
    tag,
  });
}

/**
 * The body, cut with an ellipsis where the whole payload would pass what every push service
 * must accept: a long body is cut on screen anyway (two to four lines), and a push service
 * answers 413 to an oversized one, which would fail the message for every subscription.
 */
function fitBody(body: string, content: PushContent): string {
  const size = (b: string) => utf8.encode(pushPayloadJson(b, content, TAG_SAMPLE)).length;
  if (size(body) <= PUSH_PAYLOAD_MAX_BYTES) return body;
  const chars = Array.from(body);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(`${chars.slice(0, mid).join("")}…`) <= PUSH_PAYLOAD_MAX_BYTES) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join("")}…`;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}
