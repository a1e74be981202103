import { z } from "zod";
import { EmailFieldsSchema } from "../email/spec.ts";
import { PushFieldsSchema } from "../push/spec.ts";
import type { Channel } from "../shared/channels.ts";
import { candidates } from "../sms/opt-out-line.ts";
import { SmsTemplateFieldsSchema } from "../sms-template/spec.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { WebhookFieldsSchema } from "../webhook/spec.ts";
import type { SendNode, SendSpec } from "./send.ts";
import type { ValidateContext } from "./types.ts";

/**
 * Message variants per locale (issue #20), as Braze and Customer.io users know them: a send's
 * own content is the default, and each variant holds the same content fields for one BCP 47
 * locale. The contact's locale picks one by the opt-out line's fallback chain; validation,
 * the parts counter and previews treat each variant as the send it becomes.
 */
export const VariantSchema = z.strictObject({
  /** BCP 47 tag ("zh-CN", "en", "pt-BR"); at most one variant per tag. */
  locale: z.string().min(1).max(35),
  template: z.string().min(1).max(5000),
  email: EmailFieldsSchema.optional(),
  webhook: WebhookFieldsSchema.optional(),
  smsTemplate: SmsTemplateFieldsSchema.optional(),
  push: PushFieldsSchema.optional(),
});
export type Variant = z.infer<typeof VariantSchema>;

/** More would be a translation system, not a send; 20 covers every market list we know. */
export const MAX_VARIANTS = 20;

/** What a message records when the contact got the send's own content. */
export const DEFAULT_VARIANT = "default";

/** The content fields besides `template`, and the channel each one is for. */
const CHANNEL_FIELDS = [
  ["email", "email"],
  ["webhook", "webhook"],
  ["smsTemplate", "sms"],
  ["push", "push"],
] as const satisfies readonly (readonly [keyof Variant, Channel])[];

/** Fields whose presence changes how a send goes: a variant must agree with the send on them. */
const SAME_FORM = [
  ["smsTemplate", "sms", "a template SMS"],
  ["webhook", "webhook", "a custom webhook request"],
] as const;

const CONTENT_FIELDS: ReadonlySet<string> = new Set([
  "template",
  ...CHANNEL_FIELDS.map(([f]) => f),
]);

/**
 * The send a variant becomes: the send's channel and category with the variant's content. Its
 * `locale` is the send's override if set, else the variant's own, so a zh-CN variant carries
 * the Chinese opt-out line to whoever it reaches (a zh-Hans contact, a zh contact).
 */
export function variantSpec(send: SendSpec, v: Variant): SendSpec {
  const spec: SendSpec = {
    channel: send.channel,
    category: send.category,
    template: v.template,
    locale: send.locale ?? v.locale,
  };
  if (v.email) spec.email = v.email;
  if (v.webhook) spec.webhook = v.webhook;
  if (v.smsTemplate) spec.smsTemplate = v.smsTemplate;
  if (v.push) spec.push = v.push;
  return spec;
}

export type Chosen = {
  /** The send as this contact gets it. */
  spec: SendSpec;
  /** The variant's locale, "default" for the send's own content, null on a send without variants. */
  variant: string | null;
};

/**
 * The one choice of content for a contact, used by the send step (so the ticker and the
 * simulator), the preview and the test send: the variant whose tag equals the contact's
 * locale, else the one equal to a shorter prefix of it ("zh-Hant-HK" → "zh-Hant" → "zh"; an
 * "en-GB" reader gets "en", a "zh-HK" reader never gets "zh-CN"), case-insensitively; else the
 * send's own content. The send's `locale` override changes the opt-out line only, not the choice.
 */
export function chooseVariant(send: SendSpec, contactLocale: string | null | undefined): Chosen {
  const variants = send.variants ?? [];
  if (variants.length === 0) return { spec: send, variant: null };
  for (const tag of contactLocale ? candidates(contactLocale) : []) {
    const wanted = tag.toLowerCase();
    const v = variants.find((x) => x.locale.toLowerCase() === wanted);
    if (v) return { spec: variantSpec(send, v), variant: v.locale };
  }
  return { spec: send, variant: DEFAULT_VARIANT };
}

/** The variant for a tag the console asked for ("default" or a variant's locale), or undefined. */
export function namedVariant(send: SendSpec, name: string): Chosen | undefined {
  if (name === DEFAULT_VARIANT) return { spec: send, variant: send.variants ? name : null };
  const v = send.variants?.find((x) => x.locale.toLowerCase() === name.toLowerCase());
  return v ? { spec: variantSpec(send, v), variant: v.locale } : undefined;
}

function canonicalTag(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Each variant checked as the send it becomes, by the same `contentIssues` as the send's own
 * content, with paths moved into the variant (["nodes",3,"send","variants",0,"template"]);
 * plus the variant's own problems: a tag that is not BCP 47, a tag given twice, content for
 * another channel.
 */
export function variantIssues(
  node: SendNode,
  ctx: ValidateContext,
  contentIssues: (node: SendNode, ctx: ValidateContext) => Issue[],
): Issue[] {
  const out: Issue[] = [];
  const seen = new Map<string, number>();
  const sendPath = [...ctx.path, "send"];
  (node.send.variants ?? []).forEach((v, i) => {
    const at = [...sendPath, "variants", i];
    const tag = canonicalTag(v.locale);
    if (tag === null) {
      const msg = `variant locale "${v.locale}" is not a BCP 47 tag (like zh-CN, en, pt-BR)`;
      out.push(issue("variant_bad_locale", msg, [...at, "locale"], node.id, { locale: v.locale }));
    } else {
      const first = seen.get(tag.toLowerCase());
      if (first !== undefined) {
        const msg = `variants ${first} and ${i} are both for ${tag}; a contact could get only one`;
        out.push(
          issue("variant_duplicate_locale", msg, [...at, "locale"], node.id, { locale: tag }),
        );
      } else seen.set(tag.toLowerCase(), i);
    }
    const content = { ...v };
    for (const [field, channel] of CHANNEL_FIELDS) {
      if (v[field] === undefined || channel === node.send.channel) continue;
      const msg = `variant ${v.locale} has ${field} content, which is for ${channel} sends; this send goes by ${node.send.channel}`;
      out.push(issue("variant_wrong_channel", msg, [...at, field], node.id, { locale: v.locale }));
      delete content[field];
    }
    // A template SMS goes only as an approved template, a custom webhook only as its request:
    // a variant in the other form would go by another route than the send's.
    for (const [field, channel, form] of SAME_FORM) {
      if (channel !== node.send.channel) continue;
      if ((content[field] === undefined) === (node.send[field] === undefined)) continue;
      const msg = `variant ${v.locale} ${content[field] ? "is" : "is not"} ${form}, and the send ${node.send[field] ? "is" : "is not"}; a variant goes the send's way`;
      out.push(issue("variant_wrong_channel", msg, [...at, field], node.id, { locale: v.locale }));
    }
    const virtual: SendNode = { ...node, send: variantSpec(node.send, content) };
    for (const found of contentIssues(virtual, ctx)) {
      const field = found.path[sendPath.length];
      if (!startsWith(found.path, sendPath) || !CONTENT_FIELDS.has(String(field))) continue;
      out.push({
        ...found,
        message: `${v.locale} variant: ${found.message}`,
        path: [...at, ...found.path.slice(sendPath.length)],
      });
    }
  });
  return out;
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]) {
  return prefix.every((p, i) => path[i] === p);
}
