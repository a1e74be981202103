import { z } from "zod";
import type { Effect, TimelineEntry } from "../effects.ts";
import { composeEmail } from "../email/compose.ts";
import { type EmailContent, EmailFieldsSchema } from "../email/spec.ts";
import { NodeIdSchema, PositionSchema } from "../format/primitives.ts";
import { composePush } from "../push/compose.ts";
import { pushIssues } from "../push/issues.ts";
import { type PushContent, PushFieldsSchema } from "../push/spec.ts";
import { decide } from "../rules/index.ts";
import { durationLabel } from "../rules/labels.ts";
import { assertNever } from "../shared/assert-never.ts";
import { CATEGORIES, CHANNELS } from "../shared/channels.ts";
import { own } from "../shared/own.ts";
import { composeMessage, previewMessage, type SegmentCount, withOptOut } from "../sms/index.ts";
import { composeTemplateSms } from "../sms-template/compose.ts";
import { countChinaSms } from "../sms-template/count.ts";
import { smsProviderIssues, smsTemplateIssues } from "../sms-template/issues.ts";
import { SmsTemplateFieldsSchema, type SmsTemplateRequest } from "../sms-template/spec.ts";
import { renderTemplate, templateVariableSegments } from "../template/index.ts";
import { log } from "../timeline.ts";
import { type Issue, issue } from "../validate/issue.ts";
import { composeWebhook } from "../webhook/compose.ts";
import { webhookIssues } from "../webhook/issues.ts";
import { shownWebhookUrl } from "../webhook/shown-url.ts";
import { WebhookFieldsSchema, type WebhookRequest } from "../webhook/spec.ts";
import { blocksOwnSend, heldSendsLabel } from "./cooldown.ts";
import { sampleVars } from "./sample-vars.ts";
import { chooseVariant, MAX_VARIANTS, VariantSchema, variantIssues } from "./send-variants.ts";
import { unknownNameWarnings } from "./template-names.ts";
import { templateFieldIssues, variableIssues } from "./template-reads.ts";
import { stepTemplateVars } from "./template-vars.ts";
import { defineNode, type StepResult, type ValidateContext } from "./types.ts";

export const SendSpecSchema = z.strictObject({
  channel: z.enum(CHANNELS),
  category: z.enum(CATEGORIES),
  /** Liquid: `{{ user.firstName }}`, `{{ event.sku }}`, `{{ "https://…" | track }}`. */
  template: z.string().min(1).max(5000),
  /** Overrides the contact's locale for the opt-out line (e.g. a Chinese-only campaign). */
  locale: z.string().min(2).max(35).optional(),
  /** Email only: subject, preheader, HTML, from, reply-to (`template` is the text body). */
  email: EmailFieldsSchema.optional(),
  /** Webhook only: method, URL, headers and JSON body; without it, our envelope as before. */
  webhook: WebhookFieldsSchema.optional(),
  /**
   * SMS by a template provider (Aliyun): template code, sign name, a Liquid value per parameter;
   * `template` is then the approved text with its `${name}` placeholders (engine/sms-template).
   */
  smsTemplate: SmsTemplateFieldsSchema.optional(),
  /** Push only: title, icon and click URL (`template` is the notification's body). */
  push: PushFieldsSchema.optional(),
  /** Content per contact locale; the fields above are the default (engine/nodes/send-variants.ts). */
  variants: z.array(VariantSchema).max(MAX_VARIANTS).optional(),
});
export type SendSpec = z.infer<typeof SendSpecSchema>;

export const SendNodeSchema = z.strictObject({
  id: NodeIdSchema,
  type: z.literal("send"),
  label: z.string().optional(),
  send: SendSpecSchema,
  position: PositionSchema.optional(),
});
export type SendNode = z.infer<typeof SendNodeSchema>;

/** The body as sent: rendered, plus the opt-out line on promotional SMS (engine/sms/compose.ts). */
export const finalBody = withOptOut;

/**
 * A Braze or Customer.io user reads "cooldown" as a pause of *other* campaigns; one that holds
 * all journeys silently suppresses this journey's own later sends of its scope (issue 16).
 * Warned on the send it would suppress, one issue per such cooldown upstream.
 */
function ownCooldownIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const out: Issue[] = [];
  for (const c of ctx.nodesById.values()) {
    if (c.type !== "cooldown" || !blocksOwnSend(c.cooldown, node.send.category)) continue;
    if (!ctx.reaches(c.id, node.id)) continue;
    const msg = `cooldown "${c.id}" holds ${heldSendsLabel(c.cooldown)} for ${durationLabel(c.cooldown.duration)}, so this ${node.send.category} send after it is suppressed while it lasts; make it hold only other journeys' sends, or use a wait`;
    out.push(
      issue("cooldown_blocks_own_send", msg, [...ctx.path, "send", "category"], node.id, {
        cooldown: c.id,
      }),
    );
  }
  return out;
}

/**
 * The email parts other than the text body: parsed and their reads checked like the body's, and
 * the fields refused on a channel that has no use for them (they would be silently ignored).
 */
function emailIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const e = node.send.email;
  const base = [...ctx.path, "send", "email"];
  if (node.send.channel !== "email") {
    if (!e) return [];
    const msg = `subject, HTML and sender are for email sends; this send goes by ${node.send.channel}`;
    return [
      issue("email_fields_wrong_channel", msg, base, node.id, { channel: node.send.channel }),
    ];
  }
  if (!e) {
    const msg = `email without a subject: the journey's name "${ctx.journey.name}" is sent as the subject`;
    return [issue("email_no_subject", msg, base, node.id, { journey: ctx.journey.name })];
  }
  const { subject, preheader, html } = e;
  return templateFieldIssues({ subject, preheader, html }, base, node.id);
}

/**
 * A template that cannot render for this contact (over budget: a loop over their data ran too
 * long) is suppressed like any send that cannot go, with its own reason so support can tell
 * the two apart.
 */
function renderFailed(
  nodeId: string,
  at: number,
  r: { error: string; overBudget: boolean },
  what: string,
): StepResult {
  const reason = r.overBudget ? "template_budget" : "template_error";
  const detail = `${what} failed to render: ${r.error}`;
  return { kind: "next", effects: [log({ type: "suppressed", at, nodeId, reason, detail })] };
}

/**
 * The content's issues: the template's syntax, reads and budget, the SMS parts, the channel's
 * fields. Run on the send's own content and, by variantIssues, on each variant's.
 */
function contentIssues(node: SendNode, ctx: ValidateContext): Issue[] {
  const path = [...ctx.path, "send", "template"];
  const email = [
    ...emailIssues(node, ctx),
    ...webhookIssues(node, ctx),
    ...smsTemplateIssues(node, ctx),
    ...smsProviderIssues(node, ctx),
    ...pushIssues(node, ctx),
  ];
  // The approved text is the provider's, counted by its rules (sms-template/issues.ts).
  if (node.send.smsTemplate && node.send.channel === "sms") {
    return email;
  }
  const parsed = templateVariableSegments(node.send.template);
  if (!parsed.ok)
    return [
      issue(parsed.overBudget ? "template_budget" : "template_syntax", parsed.error, path, node.id),
      ...email,
    ];
  const out = variableIssues(parsed.segments, path, node.id);
  // Names no contact or event has: checked once the template reads only allowed roots.
  const unknown =
    out.length === 0
      ? unknownNameWarnings(
          node.send.template,
          ctx.options.templateNames,
          ctx.journey,
          path,
          node.id,
        )
      : [];
  // Rendered with sample values: the SMS length estimate, and the budgets (engine/template/
  // budget.ts) that a template looping over its own data exceeds whoever receives it.
  if (out.length === 0) {
    const vars = sampleVars(parsed.segments);
    // The same computation as the send and the editor's counter, with links as long as the
    // server mints them (the caller passes its shape; the default install's otherwise).
    const r = previewMessage(node.send, {
      vars: {
        user: vars.get("user") ?? {},
        event: vars.get("event") ?? {},
        journey: { id: ctx.journey.id, name: ctx.journey.name },
      },
      contactLocale: "en",
      linkShape: ctx.options.linkShape,
    });
    if (!r.ok && r.overBudget) {
      out.push(issue("template_budget", `template ${r.error}`, path, node.id));
    } else if (r.ok && r.segments) {
      const seg = r.segments;
      if (seg.parts > ctx.options.maxSmsParts) {
        const msg = `SMS takes ${seg.parts} parts (${seg.characters} ${seg.encoding} characters with sample values and opt-out line); limit ${ctx.options.maxSmsParts}`;
        out.push(
          issue("sms_too_long", msg, path, node.id, {
            parts: seg.parts,
            limit: ctx.options.maxSmsParts,
          }),
        );
      }
    }
  }
  return [...out, ...unknown, ...email];
}

export const sendNode = defineNode<SendNode>({
  type: "send",
  schema: SendNodeSchema,
  outPaths: () => ({ kind: "one" }),
  entry: false,
  entryEvent: () => null,
  sends: true,
  channel: (node) => node.send.channel,
  arms: () => null,
  locksContact: true,
  hasSettings: true,
  usesBestHour: () => false,
  engagementEvents: () => [],
  // A deferred send holds, but a cycle through it alone may still spin when it is allowed.
  holds: () => false,
  validate: (node, ctx) => [
    ...contentIssues(node, ctx),
    ...variantIssues(node, ctx, contentIssues),
    ...ownCooldownIssues(node, ctx),
  ],
  step(node, ctx): StepResult {
    const e = ctx.enrollment;
    // Woken early (an event) while deferred: the decision stands until its time.
    if (e.wakeAt !== null && ctx.now < e.wakeAt) return { kind: "hold", wakeAt: e.wakeAt };
    // The contact's locale picks the content (send-variants.ts); the policy sees the same send.
    const { spec: s, variant } = chooseVariant(node.send, ctx.contact.locale);
    const request = {
      channel: s.channel,
      category: s.category,
      journeyId: ctx.journey.id,
      nodeId: node.id,
    };
    const policy = ctx.journey.settings?.quietHours
      ? { ...ctx.policy, quietHours: ctx.journey.settings.quietHours }
      : ctx.policy;
    const d = decide(request, ctx.contact, policy, ctx.now);
    const at = ctx.now;
    switch (d.kind) {
      case "defer":
        return {
          kind: "hold",
          wakeAt: d.until,
          effects: [
            log({
              type: "deferred",
              at,
              nodeId: node.id,
              until: d.until,
              reason: d.reason,
              detail: d.detail,
            }),
          ],
        };
      case "suppress": {
        const effects: Effect[] = [
          log({ type: "suppressed", at, nodeId: node.id, reason: d.reason, detail: d.detail }),
        ];
        if (d.startCooldown) {
          const { scope, until } = d.startCooldown;
          effects.push({
            type: "cooldown",
            nodeId: node.id,
            scope,
            applies: "all_journeys",
            until,
          });
          effects.push(
            log({
              type: "cooldown",
              at,
              nodeId: node.id,
              until,
              detail: `${scope} cooldown started (${d.reason})`,
            }),
          );
        }
        return { kind: "next", effects };
      }
      case "allow": {
        const vars = stepTemplateVars(ctx);
        const renderOpts = ctx.ports.trackLink
          ? { trackLink: ctx.ports.trackLink, zone: d.zone }
          : { zone: d.zone };
        // Rendered once, by the channel's composer: a second render would mint a second set of
        // tracked-link tokens that no message carries.
        let body: string;
        let locale: string | undefined;
        let seg: SegmentCount | null = null;
        let email: EmailContent | undefined;
        let webhook: WebhookRequest | undefined;
        let push: PushContent | undefined;
        let smsTemplate: SmsTemplateRequest | undefined;
        let chinaParts: number | null = null;
        if (s.channel === "sms" && s.smsTemplate) {
          // No opt-out line appended: the provider sends the approved text only, whose own
          // wording ("拒收请回复R") the provider required before approving it.
          const t = composeTemplateSms(s.smsTemplate, s.template, vars, renderOpts);
          if (!t.ok) return renderFailed(node.id, at, t, `template parameter ${t.field}`);
          body = t.body;
          smsTemplate = t.request;
          chinaParts = countChinaSms(body).parts;
        } else if (s.channel === "webhook" && s.webhook) {
          // The request is the message; `template` stays the timeline's and the console's text.
          const w = composeWebhook(s.webhook, vars, renderOpts);
          if (!w.ok) return renderFailed(node.id, at, w, `webhook ${w.field}`);
          const t = renderTemplate(s.template, vars, renderOpts);
          if (!t.ok) return renderFailed(node.id, at, t, "template");
          body = t.text;
          webhook = w.request;
        } else if (s.channel === "push") {
          const m = composePush(s, vars, renderOpts, ctx.journey.name);
          if (!m.ok)
            return renderFailed(
              node.id,
              at,
              m,
              m.field === "template" ? "template" : `push ${m.field}`,
            );
          body = m.body;
          push = m.content;
        } else if (s.channel === "email") {
          const m = composeEmail(s, vars, renderOpts, ctx.journey.name);
          if (!m.ok)
            return renderFailed(
              node.id,
              at,
              m,
              m.field === "template" ? "template" : `email ${m.field}`,
            );
          body = m.text;
          email = m.content;
          locale = s.locale ?? ctx.contact.locale;
        } else {
          const composed = composeMessage(s, {
            vars,
            contactLocale: ctx.contact.locale,
            optOutLines: ctx.policy.optOutLines,
            trackLink: ctx.ports.trackLink,
            zone: d.zone,
          });
          if (!composed.ok) return renderFailed(node.id, at, composed, "template");
          body = composed.body;
          locale = composed.locale;
          seg = composed.segments;
        }
        const parts = seg?.parts ?? chinaParts ?? 1;
        const visit = own(e.visits, node.id) ?? 1;
        const send: Effect = {
          type: "send",
          nodeId: node.id,
          channel: s.channel,
          category: s.category,
          body,
          encoding: seg?.encoding ?? null,
          parts,
          idempotencyKey: `${e.key}:${node.id}:${visit}`,
          at,
        };
        if (locale !== undefined) send.locale = locale;
        if (email) send.email = email;
        if (webhook) send.webhook = webhook;
        if (smsTemplate) send.smsTemplate = smsTemplate;
        if (push) send.push = push;
        if (variant !== null) send.variant = variant;
        const what = smsTemplate
          ? `${s.category} template SMS ${smsTemplate.code}, ${parts} part${parts === 1 ? "" : "s"}`
          : seg
            ? `${s.category} SMS, ${parts} part${parts === 1 ? "" : "s"} ${seg.encoding}`
            : email
              ? `${s.category} email "${email.subject}"`
              : webhook
                ? `${s.category} webhook ${webhook.method} ${shownWebhookUrl(webhook.url) ?? ""}`
                : push
                  ? `${s.category} push "${push.title}"`
                  : `${s.category} ${s.channel}`;
        const detail = variant === null ? what : `${what} (${variant} variant)`;
        const sent: TimelineEntry = {
          type: "sent",
          at,
          nodeId: node.id,
          channel: s.channel,
          body,
          parts,
          detail,
        };
        if (variant !== null) sent.variant = variant;
        return { kind: "next", effects: [send, log(sent)] };
      }
      default:
        return assertNever(d);
    }
  },
});
