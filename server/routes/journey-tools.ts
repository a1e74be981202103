import type { Knex } from "knex";
import { z } from "zod";
import type { Journey, JourneyNode } from "../../engine/format/journey.ts";
import { finalBody } from "../../engine/nodes/send.ts";
import { countSegments, previewMessage, templateUser } from "../../engine/sms/index.ts";
import { renderTemplate } from "../../engine/template/index.ts";
import { ErrorBody } from "../api/common.ts";
import { Preview, TestSent } from "../api/journeys.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { linkShapeFor } from "../delivery/links.ts";
import { HttpError } from "../http/errors.ts";
import { requestOrigin } from "../http/origin.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { emailFor } from "../privacy/mask.ts";
import type { policyCache } from "../runtime/policy.ts";

const PreviewBody = z.object({
  nodeId: z.string().min(1).max(64),
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
});

/** A sample profile, so a preview renders something sensible before real contacts exist. */
const SAMPLE = { firstName: "Alex", city: "Shanghai", coupon: "SAVE20", topItem: "cat food" };

async function definition(knex: Knex, id: string, which: string): Promise<Journey> {
  const row = (await knex("journey_versions")
    .where(
      which === "draft"
        ? { journey_id: id, is_draft: true }
        : { journey_id: id, version: Number(which), is_draft: false },
    )
    .first("definition")) as { definition: Journey } | undefined;
  if (!row)
    throw new HttpError(
      404,
      "not_found",
      `journey "${id}" has no ${which === "draft" ? "draft" : `version ${which}`}`,
    );
  return row.definition;
}

function sendNode(journey: Journey, nodeId: string): Extract<JourneyNode, { type: "send" }> {
  const node = journey.nodes.find((n) => n.id === nodeId);
  if (!node) throw new HttpError(404, "not_found", `no node "${nodeId}" in the draft`);
  if (node.type !== "send")
    throw new HttpError(400, "not_a_send", `node "${nodeId}" is a ${node.type}, not a send`);
  return node;
}

async function contactRow(knex: Knex, id: string) {
  const row = (await knex("contacts")
    .where((w) => {
      w.where("external_id", id);
      if (/^\d+$/.test(id)) w.orWhere("id", Number(id));
    })
    .first("id", "external_id", "email", "locale", "attributes")) as
    | {
        id: string | number;
        external_id: string;
        email: string | null;
        locale: string | null;
        attributes: Record<string, unknown>;
      }
    | undefined;
  if (!row) throw new HttpError(404, "not_found", `no contact "${id}"`);
  return row;
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
        // row id, attributes, email, locale; the trigger event's properties at the top level.
        const user = templateUser({
          id: real ? String(real.id) : "sample",
          attributes,
          // Support sees a real contact's email masked here too, as on the contact page.
          email: real?.email ? emailFor(req.operator?.role, real.email) : undefined,
          locale: real?.locale ?? body.contact?.locale,
        });
        const composed = previewMessage(node.send, {
          vars: { user, event: body.event?.properties ?? {} },
          contactLocale: real?.locale ?? body.contact?.locale,
          optOutLines: (await policy()).optOutLines,
          linkShape: linkShapeFor(delivery.publicUrl, requestOrigin(req)),
        });
        if (!composed.ok) throw templateFailed(composed);
        const text = composed.body;
        res.json({
          text,
          optOutLine: composed.optOutLine,
          ...(composed.segments ?? { encoding: null, parts: 1, characters: text.length }),
        });
      },
    },
    {
      method: "post",
      path: "/api/journeys/:id/test-send",
      access: ["marketer"],
      summary:
        "Send a node's message now to one contact on the journey's test list (403 for anyone else)",
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
        if (!testList.includes(contact.external_id)) {
          throw new HttpError(
            403,
            "not_on_test_list",
            `contact "${contact.external_id}" is not on this journey's test list`,
          );
        }
        const rendered = renderTemplate(
          node.send.template,
          { user: { ...contact.attributes, id: contact.external_id }, event: { properties: {} } },
          {},
        );
        if (!rendered.ok) throw templateFailed(rendered);
        const text = `[TEST] ${finalBody(node.send, rendered.text, node.send.locale ?? contact.locale ?? undefined, (await policy()).optOutLines)}`;
        const segments = node.send.channel === "sms" ? countSegments(text) : null;
        const now = clock();
        const [row] = (await knex("messages")
          .insert({
            idempotency_key: `test:${id}:${node.id}:${contact.id}:${now.getTime()}`,
            contact_id: contact.id,
            journey_id: id,
            node_id: node.id,
            channel: node.send.channel,
            category: node.send.category,
            body: text,
            encoding: segments?.encoding ?? null,
            parts: segments?.parts ?? 1,
            is_test: true,
            next_attempt_at: now,
          })
          .returning("id")) as { id: string | number }[];
        res.status(201).json({ messageId: Number(row?.id), text });
      },
    },
  ];
}
