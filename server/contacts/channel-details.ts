import type { Knex } from "knex";
import { shownWebhookUrl } from "../../engine/webhook/shown-url.ts";
import type { MessageDetails } from "../api/channel-details.ts";
import { LINK_TOKEN_LENGTH } from "../delivery/links.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { maskText } from "../privacy/mask.ts";
import { linkDestinations, pushAcceptances } from "./sql/channel-facts.ts";

/**
 * A message's channel-specific facts as the inspector's timeline and the outbox show them
 * (server/api/channel-details.ts), from its row (messages.payload, as rendered for the contact;
 * the open stamps) and, for push, which push services took it and where its click leads.
 */

export interface MessageFacts {
  id: number;
  channel: string;
  payload: unknown;
  openedAt: Date | null;
  machineOpenedAt: Date | null;
}

/** What a page's push messages need besides their rows, read once for the page. */
export interface PageFacts {
  accepted: Map<number, { service: string; at: string }[]>;
  destinations: Map<string, string>;
}

export async function loadPageFacts(
  knex: Knex,
  crypto: FieldCrypto,
  messages: readonly MessageFacts[],
): Promise<PageFacts> {
  const push = messages.filter((m) => m.channel === "push");
  const accepted = new Map<number, { service: string; at: string }[]>();
  for (const a of await pushAcceptances(
    knex,
    push.map((m) => m.id),
  )) {
    const list = accepted.get(a.messageId) ?? [];
    list.push({ service: pushService(crypto, a.subscriptionEncrypted), at: iso(a.acceptedAt) });
    accepted.set(a.messageId, list);
  }
  const tokens = push.flatMap((m) => {
    const token = trackedToken(field(m.payload, "url"));
    return token ? [token] : [];
  });
  return { accepted, destinations: await linkDestinations(knex, tokens) };
}

/** The facts to show for one message; null when it has none beyond its text (a plain SMS). */
export function messageDetails(m: MessageFacts, page: PageFacts): MessageDetails | null {
  switch (m.channel) {
    case "email":
      return {
        channel: "email",
        subject: field(m.payload, "subject"),
        from: field(m.payload, "from"),
        openedAt: m.openedAt ? iso(m.openedAt) : null,
        machineOpenedAt: m.machineOpenedAt ? iso(m.machineOpenedAt) : null,
      };
    case "sms": {
      // A free-text SMS has nothing beyond its text and status.
      const template = smsTemplate(m.payload);
      return template ? { channel: "sms", template } : null;
    }
    case "push": {
      const url = field(m.payload, "url");
      const token = trackedToken(url);
      return {
        channel: "push",
        title: field(m.payload, "title"),
        clickUrl: (token ? page.destinations.get(token) : undefined) ?? url,
        accepted: page.accepted.get(m.id) ?? [],
      };
    }
    case "webhook":
      return {
        channel: "webhook",
        method: field(m.payload, "method"),
        url: shownWebhookUrl(field(m.payload, "url") ?? ""),
      };
    default:
      return null;
  }
}

/** As a role that sees masked data reads it: every string through maskText. */
export function maskDetails(d: MessageDetails, email: string | null): MessageDetails {
  const m = (s: string | null) => (s === null ? null : maskText(s, email));
  switch (d.channel) {
    case "email":
      return { ...d, subject: m(d.subject), from: m(d.from) };
    case "sms":
      return {
        ...d,
        template: {
          ...d.template,
          params: d.template.params.map((p) => ({ name: p.name, value: maskText(p.value, email) })),
        },
      };
    case "push":
      return { ...d, title: m(d.title), clickUrl: m(d.clickUrl) };
    case "webhook":
      return { ...d, url: m(d.url) };
  }
}

function smsTemplate(
  payload: unknown,
): Extract<MessageDetails, { channel: "sms" }>["template"] | null {
  if (field(payload, "kind") !== "sms_template") return null;
  const p = payload as { code?: unknown; signName?: unknown; params?: unknown };
  const params = Array.isArray(p.params)
    ? p.params.flatMap((x: unknown) => {
        const name = field(x, "name");
        const value = field(x, "value");
        return name !== null && value !== null ? [{ name, value }] : [];
      })
    : [];
  return { code: String(p.code ?? ""), signName: String(p.signName ?? ""), params };
}

/**
 * The push service's host, which says the browser (fcm.googleapis.com: Chrome, Edge on
 * Android; updates.push.services.mozilla.com: Firefox; web.push.apple.com: Safari). Never the
 * endpoint itself: with its keys it lets anyone push to that browser.
 */
function pushService(crypto: FieldCrypto, stored: string): string {
  try {
    const sub = JSON.parse(crypto.decrypt(stored)) as { endpoint?: unknown };
    return typeof sub.endpoint === "string" ? new URL(sub.endpoint).host : "unknown";
  } catch {
    return "unknown";
  }
}

/** `/l/<token>` links are ours (server/delivery/links.ts): the token names the destination. */
function trackedToken(url: string | null): string | null {
  if (!url) return null;
  const m = new RegExp(`/l/([A-Za-z0-9_-]{${LINK_TOKEN_LENGTH}})$`).exec(url);
  return m?.[1] ?? null;
}

function field(value: unknown, key: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === "string" ? v : null;
}

const iso = (d: Date) => new Date(d).toISOString();

/**
 * An email's opens as timeline rows of their own, after the sent row they belong to: a
 * person's first open ("opened the email …") and a machine's first fetch of the pixel, marked
 * as such (it is not an open and feeds nothing).
 */
export function openRows(
  nodeId: string | null,
  messageId: number,
  d: MessageDetails | null,
): {
  at: string;
  nodeId: string | null;
  type: "opened";
  channel: "email";
  messageId: number;
  machine: boolean;
  subject: string | null;
  detail: string;
}[] {
  if (d?.channel !== "email") return [];
  const row = (at: string, machine: boolean) => ({
    at,
    nodeId,
    type: "opened" as const,
    channel: "email" as const,
    messageId,
    machine,
    subject: d.subject,
    detail: machine
      ? "a machine fetched the email's images (a mail proxy's prefetch): not an open"
      : `opened the email “${d.subject ?? ""}”`,
  });
  return [
    ...(d.machineOpenedAt ? [row(d.machineOpenedAt, true)] : []),
    ...(d.openedAt ? [row(d.openedAt, false)] : []),
  ];
}
