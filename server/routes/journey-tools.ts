import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { z } from "zod";
import type { MessagePayload } from "../../engine/effects.ts";
import { composeEmail } from "../../engine/email/compose.ts";
import type { Journey, JourneyNode } from "../../engine/format/journey.ts";
import type { SendSpec } from "../../engine/nodes/send.ts";
import { chooseVariant, namedVariant } from "../../engine/nodes/send-variants.ts";
import { composePush } from "../../engine/push/compose.ts";
import type { ComposeInput } from "../../engine/sms/index.ts";
import {
  composeMessage,
  countSegments,
  previewMessage,
  templateUser,
} from "../../engine/sms/index.ts";
import { composeTemplateSms } from "../../engine/sms-template/index.ts";
import type { TemplateVars } from "../../engine/template/index.ts";
import { composeWebhook } from "../../engine/webhook/compose.ts";
import { ErrorBody } from "../api/common.ts";
import { Preview, TestList, TestMessageStatus, TestSent } from "../api/journeys.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { linkMinter, linkShapeFor, linksCarried } from "../delivery/links.ts";
import { HttpError } from "../http/errors.ts";
import { requestOrigin } from "../http/origin.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import {
  enqueueTestMessage,
  findToolContact,
  journeyDocument,
  type ToolContact,
  testListContacts,
  testMessageStatus,
} from "../journeys/sql/test-send.ts";
import { emailFor } from "../privacy/mask.ts";
import type { policyCache } from "../runtime/policy.ts";

/** "default" or a variant's locale; absent: the variant the contact's locale picks. */
const VariantParam = z.string().min(1).max(35).optional();

const PreviewBody = z.object({
  nodeId: z.string().min(1).max(64),
  variant: VariantParam,
  contactId: z.string().min(1).max(200).optional(),
  contact: z
    .object({
      attributes: z.record(z.string(), z.unknown()).default({}),
      locale: z.string().max(35).optional(),
    })
    .optional(),
  event: z
    .object({
      name: z.string().max(200).optional(),
      properties: z.record(z.string(), z.unknown()).default({}),
    })
    .optional(),
});
const TestSendBody = z.object({
  nodeId: z.string().min(1).max(64),
  contactId: z.string().min(1).max(200),
  variant: VariantParam,
});

/** A sample profile, so a preview renders something sensible before real contacts exist. */
const SAMPLE = { firstName: "Alex", city: "Shanghai", coupon: "SAVE20", topItem: "cat food" };

async function definition(knex: Knex, id: string, which: string): Promise<Journey> {
  const doc = await journeyDocument(knex, id, which === "draft" ? "draft" : Number(which));
  if (!doc)
    throw new HttpError(
      404,
      "not_found",
      `journey "${id}" has no ${which === "draft" ? "draft" : `version ${which}`}`,
    );
  return doc;
}

function sendNode(journey: Journey, nodeId: string): Extract<JourneyNode, { type: "send" }> {
  const node = journey.nodes.find((n) => n.id === nodeId);
  if (!node) throw new HttpError(404, "not_found", `no node "${nodeId}" in the draft`);
  if (node.type !== "send")
    throw new HttpError(400, "not_a_send", `node "${nodeId}" is a ${node.type}, not a send`);
  return node;
}

/**
 * The content to render: the variant named, or the one this contact's locale picks, by the
 * send step's own choice (engine/nodes/send-variants.ts).
 */
function contentFor(send: SendSpec, variant: string | undefined, locale: string | undefined) {
  if (variant === undefined) return chooseVariant(send, locale);
  const named = namedVariant(send, variant);
  if (named) return named;
  const known = ["default", ...(send.variants ?? []).map((v) => v.locale)].join(", ");
  const message = `no variant "${variant}" on this send (it has ${known})`;
  throw new HttpError(400, "unknown_variant", `variant: ${message}`, [
    { path: "variant", message },
  ]);
}

async function contactRow(knex: Knex, id: string): Promise<ToolContact> {
  const row = await findToolContact(knex, id);
  if (!row) throw new HttpError(404, "not_found", `no contact "${id}"`);
  return row;
}

/**
 * The test message, rendered once as the send step renders it: an email by composeEmail
 * (subject, HTML and sender too, the subject marked like the text), a webhook with its own
 * request by composeWebhook (marked by an X-Waymark-Test header, which sends may not set), a
 * template SMS by composeTemplateSms (code, sign name and parameters in the payload), a push by
 * composePush (its title marked), anything else by composeMessage.
 */
function composeTestMessage(
  send: SendSpec,
  vars: TemplateVars,
  input: Omit<ComposeInput, "vars"> & { trackLink: (url: string) => string; zone: string },
):
  | { ok: true; body: string; payload: MessagePayload | null }
  | { ok: false; error: string; overBudget: boolean } {
  if (send.channel === "email") {
    const journeyName = String(vars.journey?.name ?? "");
    const m = composeEmail(
      send,
      vars,
      { trackLink: input.trackLink, zone: input.zone },
      journeyName,
    );
    if (!m.ok) return m;
    return {
      ok: true,
      body: m.text,
      payload: { ...m.content, subject: `[TEST] ${m.content.subject}` },
    };
  }
  if (send.channel === "push") {
    const opts = { trackLink: input.trackLink, zone: input.zone };
    const p = composePush(send, vars, opts, String(vars.journey?.name ?? ""));
    if (!p.ok) return p;
    return {
      ok: true,
      body: p.body,
      payload: { ...p.content, title: `[TEST] ${p.content.title}` },
    };
  }
  if (send.channel === "webhook" && send.webhook) {
    const w = composeWebhook(send.webhook, vars, { trackLink: input.trackLink, zone: input.zone });
    if (!w.ok) return w;
    const r = composeMessage(send, { ...input, vars });
    if (!r.ok) return r;
    const headers = { ...w.request.headers, "x-waymark-test": "1" };
    return { ok: true, body: r.body, payload: { ...w.request, headers } };
  }
  if (send.channel === "sms" && send.smsTemplate) {
    // The provider sends only the approved text, so a test cannot be marked in it: it goes to
    // the test list exactly as a contact would get it.
    const t = composeTemplateSms(send.smsTemplate, send.template, vars, { zone: input.zone });
    return t.ok ? { ok: true, body: t.body, payload: t.request } : t;
  }
  const r = composeMessage(send, { ...input, vars });
  return r.ok ? { ok: true, body: r.body, payload: null } : r;
}

/** 422 for a template that does not render: over its budget, or failing on its own. */
function templateFailed(r: { error: string; overBudget: boolean }): HttpError {
  return new HttpError(422, r.overBudget ? "template_budget" : "template_error", r.error);
}

export function journeyToolRoutes(
  knex: Knex,
  policy: ReturnType<typeof policyCache>,
  clock: () => Date,
  delivery: DeliveryConfig,
): RouteSpec[] {
  return [
    {
      method: "post",
      path: "/api/journeys/:id/preview",
      access: "any",
      summary:
        "Render a send node of the draft for a sample or real contact: text, opt-out line, encoding, parts",
      body: PreviewBody,
      responses: { 200: Preview, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const body = parseBody(PreviewBody, req.body);
        const node = sendNode(await definition(knex, param(req, "id"), "draft"), body.nodeId);
        const real = body.contactId ? await contactRow(knex, body.contactId) : null;
        const attributes = real?.attributes ?? body.contact?.attributes ?? SAMPLE;
        // `user` and `event` as the ticker builds them (engine/nodes/send.ts): the contact's
        // external id, attributes, email, locale; the trigger event's properties at the top level.
        const user = templateUser({
          id: real ? String(real.id) : "sample",
          externalId: real?.externalId,
          attributes,
          // Support sees a real contact's email masked here too, as on the contact page.
          email: real?.email ? emailFor(req.operator?.role, real.email) : undefined,
          locale: real?.locale ?? body.contact?.locale,
        });
        const contactLocale = real?.locale ?? body.contact?.locale;
        const chosen = contentFor(node.send, body.variant, contactLocale);
        const composed = previewMessage(chosen.spec, {
          vars: { user, event: body.event?.properties ?? {} },
          contactLocale,
          optOutLines: (await policy()).optOutLines,
          linkShape: linkShapeFor(delivery.publicUrl, requestOrigin(req)),
        });
        if (!composed.ok) throw templateFailed(composed);
        const text = composed.body;
        res.json({
          text,
          optOutLine: composed.optOutLine,
          ...(composed.segments ?? { encoding: null, parts: 1, characters: text.length }),
          variant: chosen.variant,
        });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/test-list",
      access: ["marketer"],
      summary:
        "The contacts a test send may go to: the draft's test list, those that exist, in list order",
      responses: { 200: TestList, 404: ErrorBody },
      async handler(req, res) {
        const journey = await definition(knex, param(req, "id"), "draft");
        const listed = journey.settings?.testList ?? [];
        res.json({ listed, contacts: await testListContacts(knex, listed) });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/test-send",
      access: ["marketer"],
      summary:
        "Send a node's message now to one contact on the journey's test list (403 for anyone else): rendered as the ticker renders it, with real tracked links, through the outbox",
      body: TestSendBody,
      responses: { 201: TestSent, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const body = parseBody(TestSendBody, req.body);
        const journey = await definition(knex, id, "draft");
        const node = sendNode(journey, body.nodeId);
        const contact = await contactRow(knex, body.contactId);
        // The safety net from the trade: a test blast can only ever reach the named test list.
        const testList = journey.settings?.testList ?? [];
        if (!testList.includes(contact.externalId)) {
          throw new HttpError(
            403,
            "not_on_test_list",
            `contact "${contact.externalId}" is not on this journey's test list`,
          );
        }
        const policyNow = await policy();
        // Links are minted as the ticker mints them (server/delivery/links.ts): real tokens,
        // stored with the message, so the tester's tap resolves and counts like a customer's.
        const links = linkMinter(delivery.publicUrl ?? requestOrigin(req));
        const vars = {
          user: templateUser({
            id: String(contact.id),
            externalId: contact.externalId,
            attributes: contact.attributes,
            email: contact.email ?? undefined,
            locale: contact.locale ?? undefined,
          }),
          event: {},
          journey: { id: journey.id, name: journey.name },
        };
        const zone = contact.timezone ?? policyNow.workspaceTimezone;
        const chosen = contentFor(node.send, body.variant, contact.locale ?? undefined);
        const composed = composeTestMessage(chosen.spec, vars, {
          contactLocale: contact.locale ?? undefined,
          optOutLines: policyNow.optOutLines,
          trackLink: links.trackLink,
          zone,
        });
        if (!composed.ok) throw templateFailed(composed);
        // The prefix tells the tester's phone (and the outbox) it is a test; it is counted.
        const text = `[TEST] ${composed.body}`;
        const segments = node.send.channel === "sms" ? countSegments(text) : null;
        const now = clock();
        const messageId = await enqueueTestMessage(
          knex,
          {
            idempotencyKey: `test:${id}:${node.id}:${contact.id}:${randomUUID()}`,
            contactId: contact.id,
            journeyId: id,
            nodeId: node.id,
            channel: node.send.channel,
            category: node.send.category,
            body: text,
            encoding: segments?.encoding ?? null,
            parts: segments?.parts ?? 1,
            links: linksCarried(links.minted(), text, composed.payload),
            payload: composed.payload,
            variant: chosen.variant,
          },
          now,
          delivery.linkTtlMs,
        );
        res.status(201).json({ messageId, text, status: "queued", variant: chosen.variant });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/test-send/:messageId",
      access: ["marketer"],
      summary:
        "A test message's outcome: queued, sending, sent, delivered or failed, with the provider's id and error",
      responses: { 200: TestMessageStatus, 404: ErrorBody },
      async handler(req, res) {
        const raw = param(req, "messageId");
        if (!/^\d{1,15}$/.test(raw))
          throw new HttpError(400, "invalid_message_id", "messageId: must be a message number", [
            { path: "messageId", message: "must be a message number" },
          ]);
        const found = await testMessageStatus(knex, param(req, "id"), Number(raw));
        if (!found) throw new HttpError(404, "not_found", `no test message ${raw} on this journey`);
        res.json(found);
      },
    },
  ];
}
