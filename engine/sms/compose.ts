import type { Category, Channel } from "../shared/channels.ts";
import { withKey } from "../shared/copy.ts";
import { renderTemplate, type TemplateVars } from "../template/index.ts";
import { assertLinkable } from "../template/links.ts";
import { appendOptOut, optOutLineFor } from "./opt-out-line.ts";
import { countSegments, type SegmentCount } from "./segments.ts";

/**
 * The message as it will be sent: one computation for the ticker (engine/nodes/send.ts), the
 * preview API (server/routes/journey-tools.ts), the editor's counter (client sms-preview.ts)
 * and validation's `sms_too_long`. Before this, the editor previewed a 23-character placeholder
 * link while the ticker wrote a 46-character one: 155 characters and 1 part shown, 178 and 2
 * parts billed (issue #16).
 *
 * A tracked link is `${base}/l/${token}`: what the marketer sees and what validation counts is a
 * link of the same base and token length, so only the token's letters differ from the send.
 */

/** How the runtime mints tracked links: its public base URL and the token's length. */
export type LinkShape = { base: string; tokenLength: number };

/**
 * The shape a default install mints (`npm start` on port 3000, 16-byte base64url tokens), for
 * callers that do not know the server's (the CLI's `validate`, a document validated offline).
 */
export const DEFAULT_LINK_SHAPE: LinkShape = { base: "http://localhost:3000", tokenLength: 22 };

/** The tracked URL for a token; trailing slashes of the base are dropped. */
export function trackedLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, "")}/l/${token}`;
}

// Base64url letters, all in GSM-7's basic table like every token the runtime draws, so the
// placeholder costs exactly what a real token costs.
const TOKEN_SAMPLE = "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ";

/** A link as long as the runtime's, for previews and estimates. */
export function sampleTrackedLink(shape: LinkShape): string {
  const n = Math.max(0, Math.min(shape.tokenLength, 256));
  return trackedLink(
    shape.base,
    TOKEN_SAMPLE.repeat(Math.ceil(n / TOKEN_SAMPLE.length)).slice(0, n),
  );
}

/** What a send node says about its message (the format's SendSpec, structurally). */
export type MessageSpec = {
  channel: Channel;
  category: Category;
  template: string;
  /** Overrides the contact's locale for the opt-out line. */
  locale?: string | undefined;
};

/**
 * `user` as templates see it: the profile's attributes, then `id`, `email` and `locale` from the
 * contact (these win over attributes of the same name, as in the ticker since it began).
 */
export function templateUser(contact: {
  id: string;
  externalId?: string | undefined;
  attributes: Record<string, unknown>;
  email?: string | undefined;
  locale?: string | undefined;
}): Record<string, unknown> {
  const user = withKey<unknown>(contact.attributes, "id", contact.externalId ?? contact.id);
  if (contact.email !== undefined) user.email = contact.email;
  if (contact.locale !== undefined) user.locale = contact.locale;
  return user;
}

/** The body as sent: the rendered text, plus the opt-out line on promotional SMS. */
export function withOptOut(
  spec: MessageSpec,
  rendered: string,
  locale: string | undefined,
  lines?: Readonly<Record<string, string>>,
): string {
  if (spec.channel !== "sms" || spec.category !== "promotional") return rendered;
  return appendOptOut(rendered, optOutLineFor(locale, lines));
}

export type ComposeInput = {
  vars: TemplateVars;
  /** The contact's locale; the spec's own `locale` overrides it. */
  contactLocale?: string | undefined;
  /** The workspace's opt-out line overrides (the policy's `optOutLines`). */
  optOutLines?: Readonly<Record<string, string>> | undefined;
  /** How `| track` rewrites a URL: the ticker mints a token, a preview uses `linkShape`. */
  trackLink?: ((url: string) => string) | undefined;
  /** IANA zone the `date` filter formats in (the recipient's). */
  zone?: string | undefined;
};

export type Composed =
  | {
      ok: true;
      /** The text the provider gets. */
      body: string;
      /** The template's own output, before the opt-out line. */
      rendered: string;
      /** The locale the opt-out line was chosen for. */
      locale: string | undefined;
      optOutLine: string | null;
      /** Encoding, characters and parts for SMS; null for other channels. */
      segments: SegmentCount | null;
    }
  | { ok: false; error: string; overBudget: boolean };

/** Renders a message exactly as the send step does; never throws (see renderTemplate). */
export function composeMessage(spec: MessageSpec, input: ComposeInput): Composed {
  const opts: { trackLink?: (url: string) => string; zone?: string } = {};
  if (input.trackLink) opts.trackLink = input.trackLink;
  if (input.zone !== undefined) opts.zone = input.zone;
  const r = renderTemplate(spec.template, input.vars, opts);
  if (!r.ok) return r;
  const locale = spec.locale ?? input.contactLocale;
  const body = withOptOut(spec, r.text, locale, input.optOutLines);
  const promotionalSms = spec.channel === "sms" && spec.category === "promotional";
  return {
    ok: true,
    body,
    rendered: r.text,
    locale,
    optOutLine: promotionalSms ? optOutLineFor(locale, input.optOutLines) : null,
    segments: spec.channel === "sms" ? countSegments(body) : null,
  };
}

/** `composeMessage` with tracked links of the runtime's shape: previews, counters, estimates. */
export function previewMessage(
  spec: MessageSpec,
  input: Omit<ComposeInput, "trackLink"> & { linkShape: LinkShape },
): Composed {
  const link = sampleTrackedLink(input.linkShape);
  const { linkShape: _shape, ...rest } = input;
  // A literal target the runtime would refuse (`www.shop.com` without a scheme, `javascript:`)
  // fails the preview as it fails every send. An empty one is a variable the sample values lack:
  // it says nothing about a real contact's, so the preview still counts the link.
  const trackLink = (url: string) => {
    if (url !== "") assertLinkable(url);
    return link;
  };
  return composeMessage(spec, { ...rest, trackLink });
}
