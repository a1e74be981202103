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

type Request = Parameters<RouteSpec["handler"]>[0];
type SupportAction = "contact.opt_out" | "contact.opt_in" | "contact.consent";
type Locked = NonNullable<Awaited<ReturnType<typeof lockContact>>>;

function operatorSource(req: Request): string {
  const actor = actorFrom(req);
  return actor.kind === "system" ? "operator" : `operator:${actor.name}`;
}

/** What a support act changed: its answer, and the audit entry's details. */
interface Change<T> {
  result: T;
  details: Record<string, unknown>;
}

/**
 * One support act on the contact named in the path: the contact row locked (so two operators'
 * acts on one contact queue rather than interleave), the change, and its audit entry, committed
 * together. The entry's details say what the act was asked (channel, category) and did.
 */
async function supportAct<T>(
  knex: Knex,
  now: Date,
  req: Request,
  act: { action: SupportAction; channel: string; category: string },
  change: (trx: Knex.Transaction, id: number, locked: Locked | null) => Promise<Change<T>>,
): Promise<T> {
  const key = param(req, "id");
  const found = await findToolContact(knex, key);
  if (!found) throw new HttpError(404, "not_found", `no contact "${key}"`);
  return knex.transaction(async (trx) => {
    const locked = await lockContact(trx, found.id);
    const { result, details } = await change(trx, found.id, locked);
    await audit(trx, req, {
      action: act.action,
      subject: { type: "contact", id: String(found.id) },
      details: { channel: act.channel, category: act.category, ...details },
      at: now,
    });
    return result;
  });
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
        const now = clock();
        const act = { action: "contact.opt_out", ...body } as const;
        const result = await supportAct(knex, now, req, act, async (trx, id) => {
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
          return {
            result: { canceled },
            details: {
              reason: body.reason ?? null,
              canceled,
            },
          };
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
        const now = clock();
        const act = { action: "contact.opt_in", ...body } as const;
        const result = await supportAct(knex, now, req, act, async (trx, id) => {
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
          return {
            result: { revoked },
            details: {
              reason: body.reason,
              revoked,
              ...(blanket > 0 ? { consentGranted: true } : {}),
            },
          };
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
        const now = clock();
        const record = {
          granted: body.granted,
          source: operatorSource(req),
          at: now.toISOString(),
        };
        const act = { action: "contact.consent", ...body } as const;
        await supportAct(knex, now, req, act, async (trx, id, locked) => {
          const before = locked?.consent[body.channel]?.[body.category] ?? null;
          await writeConsent(trx, id, body.channel, body.category, record, now);
          return {
            result: undefined,
            details: {
              granted: body.granted,
              reason: body.reason,
              before,
            },
          };
        });
        res.json({ consent: { [body.channel]: { [body.category]: record } } });
      },
    },
  ];
}
