import type { Knex } from "knex";
import { z } from "zod";
import { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";
import { isUnstorable } from "../../engine/shared/text.ts";
import { ErrorBody } from "../api/common.ts";
import { ConsentSet, OptedIn, OptedOut } from "../api/contacts.ts";
import { actorFrom, audit } from "../audit/audit.ts";
import {
  countBlanketOptOuts,
  lockContact,
  revokeOptOuts,
  writeConsent,
} from "../contacts/sql/support.ts";
import { recordOptOut } from "../events/record.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { findToolContact } from "../journeys/sql/test-send.ts";

/**
 * Support acts on a contact, not only reads: opt out of a channel (one category or all), opt back
 * in, grant or withdraw consent. Each change and its audit entry (who, when, why) commit in one
 * transaction; the contact's inspector shows the entries as its support timeline. Support may do
 * this — it is their job when a customer calls — as may marketers; engineers may not.
 */

const Reason = z
  .string()
  .trim()
  .min(3, "say why (at least 3 characters)")
  .max(500)
  .refine((s) => !isUnstorable(s), "holds a NUL or a lone surrogate");
const Channel = z.enum(CHANNELS);
const Category = z.enum(CATEGORIES);

const OptOutBody = z.object({
  channel: Channel,
  category: z.union([Category, z.literal("*")]).default("*"),
  reason: Reason.optional(),
});
const OptInBody = z.object({
  channel: Channel,
  category: z.union([Category, z.literal("*")]).default("*"),
  reason: Reason,
});
const ConsentBody = z.object({
  channel: Channel,
  category: Category,
  granted: z.boolean(),
  reason: Reason,
});

const WHO = ["support", "marketer"] as const;

async function contactId(knex: Knex, id: string): Promise<number> {
  const found = await findToolContact(knex, id);
  if (!found) throw new HttpError(404, "not_found", `no contact "${id}"`);
  return found.id;
}

function operatorSource(req: Parameters<RouteSpec["handler"]>[0]): string {
  const actor = actorFrom(req);
  return actor.kind === "system" ? "operator" : `operator:${actor.name}`;
}

export function contactSupportRoutes(knex: Knex, clock: () => Date): RouteSpec[] {
  return [
    {
      method: "post",
      path: "/api/contacts/:id/opt-out",
      access: WHO,
      summary:
        "Opt a contact out of a channel, for one category or all (`*`): queued messages canceled, the next step of every journey suppressed (opted_out); audited",
      body: OptOutBody,
      responses: { 201: OptedOut, 404: ErrorBody },
      async handler(req, res) {
        const body = parseBody(OptOutBody, req.body);
        const id = await contactId(knex, param(req, "id"));
        const now = clock();
        const result = await knex.transaction(async (trx) => {
          await lockContact(trx, id);
          const { canceled } = await recordOptOut(
            trx,
            {
              contactId: id,
              channel: body.channel,
              category: body.category,
              reason: "manual",
              source: operatorSource(req),
              ...(body.reason ? { detail: body.reason } : {}),
            },
            now,
          );
          await audit(trx, req, {
            action: "contact.opt_out",
            subject: { type: "contact", id: String(id) },
            details: {
              channel: body.channel,
              category: body.category,
              reason: body.reason ?? null,
              canceled,
            },
            at: now,
          });
          return { canceled };
        });
        res.status(201).json({ optedOut: true, ...result });
      },
    },
    {
      method: "post",
      path: "/api/contacts/:id/opt-in",
      access: WHO,
      summary:
        "Opt a contact back in to a channel (one category or all), with a required reason: their opt-outs there are revoked (kept as history); audited",
      body: OptInBody,
      responses: { 200: OptedIn, 404: ErrorBody },
      async handler(req, res) {
        const body = parseBody(OptInBody, req.body);
        const id = await contactId(knex, param(req, "id"));
        const now = clock();
        const result = await knex.transaction(async (trx) => {
          await lockContact(trx, id);
          const revoked = await revokeOptOuts(trx, id, body.channel, body.category, now);
          // An opt-out of every category (a STOP reply) stays for the others; a grant newer than
          // it lifts it for this one (engine/rules/opt-out.ts), which is what was asked.
          const blanket =
            body.category === "*" ? 0 : await countBlanketOptOuts(trx, id, body.channel);
          if (body.category !== "*" && blanket > 0) {
            await writeConsent(
              trx,
              id,
              body.channel,
              body.category,
              { granted: true, source: operatorSource(req), at: now.toISOString() },
              now,
            );
          }
          await audit(trx, req, {
            action: "contact.opt_in",
            subject: { type: "contact", id: String(id) },
            details: {
              channel: body.channel,
              category: body.category,
              reason: body.reason,
              revoked,
              ...(blanket > 0 ? { consentGranted: true } : {}),
            },
            at: now,
          });
          return { revoked };
        });
        res.json({ optedIn: true, ...result });
      },
    },
    {
      method: "put",
      path: "/api/contacts/:id/consent",
      access: WHO,
      summary:
        "Grant or withdraw a contact's consent for one channel and category, with a required reason; audited with the record it replaced",
      body: ConsentBody,
      responses: { 200: ConsentSet, 404: ErrorBody },
      async handler(req, res) {
        const body = parseBody(ConsentBody, req.body);
        const id = await contactId(knex, param(req, "id"));
        const now = clock();
        const record = {
          granted: body.granted,
          source: operatorSource(req),
          at: now.toISOString(),
        };
        await knex.transaction(async (trx) => {
          const locked = await lockContact(trx, id);
          const before = locked?.consent[body.channel]?.[body.category] ?? null;
          await writeConsent(trx, id, body.channel, body.category, record, now);
          await audit(trx, req, {
            action: "contact.consent",
            subject: { type: "contact", id: String(id) },
            details: {
              channel: body.channel,
              category: body.category,
              granted: body.granted,
              reason: body.reason,
              before,
            },
            at: now,
          });
        });
        res.json({ consent: { [body.channel]: { [body.category]: record } } });
      },
    },
  ];
}
