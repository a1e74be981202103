import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { EventNameSchema, isReservedName } from "../../engine/format/primitives.ts";
import { isUnstorable } from "../../engine/shared/text.ts";
import { phoneCandidates } from "../../engine/time/index.ts";
import { ErrorBody } from "../api/common.ts";
import {
  ContactDetail,
  ContactJourneys,
  ContactPage,
  TemplateNamesSchema,
} from "../api/contacts.ts";
import { selectAuditEntries } from "../audit/sql/audit-log.ts";
import {
  loadPageFacts,
  type MessageFacts,
  maskDetails,
  messageDetails,
  openRows,
} from "../contacts/channel-details.ts";
import {
  contactEnrollments,
  contactLog,
  contactSuppressions,
  findContact,
} from "../contacts/sql/inspector.ts";
import { type ContactRow, searchContacts } from "../contacts/sql/search.ts";
import { templateNames } from "../contacts/template-names.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { admitLookup, type Lookup, recordMatches } from "../privacy/lookup-audit.ts";
import { maskEmail, maskPhone, maskStrings, seesMaskedData } from "../privacy/mask.ts";
import type { policyCache } from "../runtime/policy.ts";

/** The contacts list: `q` searches, `before` (the previous page's `next`) pages. */
const ContactsQuery = z.object({
  q: z
    .string()
    .max(320, "at most 320 characters")
    .refine((q) => !isUnstorable(q), "holds a NUL or a lone surrogate")
    .optional()
    .describe(
      "A name, email, contact number, external id (or its beginning), or a phone in any common format: (310) 555-0101, +86 138 0013 8000",
    ),
  limit: z.coerce.number().int().min(1).max(100).optional().describe("Page size; 50 when absent"),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe("The previous page's `next`: contacts older than it"),
});

const TemplateNamesQuery = z.object({
  event: EventNameSchema.refine((e) => !isUnstorable(e), "holds a NUL or a lone surrogate")
    .refine((e) => !isReservedName(e), "is a reserved name")
    .optional(),
});

/** Roles that see masked data (privacy/mask.ts) see contact details as 138****1234. */
function present(row: ContactRow, crypto: FieldCrypto, req: Request) {
  const masked = seesMaskedData(req.operator?.role);
  const phone = row.phone_encrypted ? crypto.decrypt(row.phone_encrypted) : null;
  return {
    id: Number(row.id),
    externalId: row.external_id,
    email: row.email && masked ? maskEmail(row.email) : row.email,
    phone: phone && masked ? maskPhone(phone) : phone,
    phoneCountry: row.phone_country,
    timezone: row.timezone,
    locale: row.locale,
    attributes: row.attributes,
    consent: row.consent,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A search by a full phone or email is a lookup of contact data: audited and throttled, one
 * search one lookup however many numbers the text may mean (their blind indexes are recorded
 * together, space-separated, so an admin can still tell which contacts were probed).
 */
function lookupOf(q: string, phones: readonly string[], crypto: FieldCrypto): Lookup | null {
  if (phones.length > 0) {
    return {
      kind: "phone",
      lookup: phones.map((p) => crypto.blindIndex(p)).join(" "),
      shown: phones.map(maskPhone).join(" or "),
    };
  }
  if (q.includes("@")) {
    const email = q.toLowerCase();
    return { kind: "email", lookup: crypto.blindIndex(email), shown: maskEmail(email) };
  }
  return null;
}

async function mustFind(knex: Knex, id: string): Promise<ContactRow> {
  const row = await findContact(knex, id);
  if (!row) throw new HttpError(404, "not_found", `no contact "${id}"`);
  return row;
}

export function contactRoutes(
  knex: Knex,
  crypto: FieldCrypto,
  policy: ReturnType<typeof policyCache>,
): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/template-names",
      access: "any",
      summary:
        "Attribute names contacts have, and property names of `event` when one was recorded: what the editor checks templates against",
      responses: { 200: TemplateNamesSchema },
      async handler(req, res) {
        const { event } = parseBody(TemplateNamesQuery, req.query);
        res.json(await templateNames(knex, event ?? null));
      },
    },
    {
      method: "get",
      path: "/api/contacts",
      access: "any",
      query: ContactsQuery,
      summary:
        "List contacts newest first, paged by `before`/`limit` (at most 100), or search them by id, external id, email, name or phone in any common format (every E.164 it may mean, matched via the blind index); phone and email searches are audited and throttled per operator",
      responses: { 200: ContactPage, 429: ErrorBody },
      async handler(req, res) {
        const parsed = parseBody(ContactsQuery, req.query);
        const q = parsed.q?.trim() ?? "";
        let phones: string[] = [];
        let audit: number | null = null;
        if (q) {
          // A national number is read in the workspace's region first (its time zone).
          phones = phoneCandidates(q, (await policy()).workspaceTimezone);
          const lookup = lookupOf(q, phones, crypto);
          if (lookup && req.operator) {
            const admitted = await admitLookup(knex, req.operator, lookup, new Date());
            if (!admitted.ok) {
              res.setHeader("Retry-After", String(admitted.retryAfter));
              throw new HttpError(
                429,
                "too_many_lookups",
                `too many phone and email searches; retry in ${admitted.retryAfter} s`,
              );
            }
            audit = admitted.id;
          }
        }
        const { rows, next } = await searchContacts(knex, {
          q,
          phoneHashes: phones.map((p) => crypto.blindIndex(p)),
          limit: parsed.limit ?? 50,
          before: parsed.before,
        });
        if (audit !== null) await recordMatches(knex, audit, rows.length);
        res.json({ contacts: rows.map((r) => present(r, crypto, req)), next });
      },
    },
    {
      method: "get",
      path: "/api/contacts/:id",
      access: "any",
      summary: "One contact's profile, consent and opt-outs",
      responses: { 200: ContactDetail, 404: ErrorBody },
      async handler(req, res) {
        const row = await mustFind(knex, param(req, "id"));
        const suppressions = await contactSuppressions(knex, row.id);
        res.json({ contact: present(row, crypto, req), suppressions });
      },
    },
    {
      method: "get",
      path: "/api/contacts/:id/journeys",
      access: "any",
      summary: "The journey inspector: every enrollment with its node, wake-up and full timeline",
      responses: { 200: ContactJourneys, 404: ErrorBody },
      async handler(req, res) {
        const row = await mustFind(knex, param(req, "id"));
        const enrollments = await contactEnrollments(knex, row.id);
        const log = await contactLog(knex, row.id);
        // A sent body may quote the contact's email or phone (a template printed it).
        const masked = seesMaskedData(req.operator?.role);
        const maskFor = <T extends Record<string, unknown>>(entry: T): T =>
          masked ? maskStrings(entry, row.email) : entry;
        // What each message's channel adds (subject, template code, browsers…), and its opens.
        const facts = new Map<number, MessageFacts>();
        for (const l of log) {
          if (l.message_id === null || l.message_channel === null) continue;
          facts.set(Number(l.message_id), {
            id: Number(l.message_id),
            channel: l.message_channel,
            payload: l.message_payload,
            openedAt: l.message_opened_at,
            machineOpenedAt: l.message_machine_opened_at,
          });
        }
        const page = await loadPageFacts(knex, crypto, [...facts.values()]);
        const detailsOf = (id: number) => {
          const f = facts.get(id);
          const d = f ? messageDetails(f, page) : null;
          return d && masked ? maskDetails(d, row.email) : d;
        };
        // Support's own acts on this contact (opt-outs, opt-ins, consent), newest first.
        const acts = await selectAuditEntries(knex, {
          subjectType: "contact",
          subjectId: String(row.id),
          limit: 100,
        });
        res.json({
          contact: present(row, crypto, req),
          support: acts.map((a) => ({
            id: a.id,
            at: a.at,
            action: a.action,
            by: a.actor.name,
            details: a.details,
          })),
          enrollments: enrollments.map((e) => ({
            id: Number(e.id),
            journeyId: e.journey_id,
            journeyName: e.name,
            version: e.version,
            versionId: Number(e.version_id),
            status: e.status,
            currentNode: e.current_node,
            // 'infinity' means only an event moves it: no wake-up time to show.
            wakeAt: e.wake_at && Number.isFinite(new Date(e.wake_at).getTime()) ? e.wake_at : null,
            held: Boolean(e.held),
            enteredAt: e.entered_at,
            endedAt: e.ended_at,
            exitReason: e.exit_reason,
            timeline: inOrder(
              log
                .filter((l) => Number(l.enrollment_id) === Number(e.id))
                .flatMap((l): { at: string }[] => {
                  const details = l.message_id ? detailsOf(Number(l.message_id)) : null;
                  const entry = maskFor({
                    id: Number(l.id),
                    at: new Date(l.at).toISOString(),
                    nodeId: l.node_id,
                    type: l.type,
                    reason: l.reason,
                    detail: l.detail,
                    ...l.data,
                    ...(l.message_id
                      ? { messageId: Number(l.message_id), messageStatus: l.message_status }
                      : {}),
                  });
                  if (!l.message_id || l.type !== "sent") return [entry];
                  const opens = openRows(l.node_id, Number(l.message_id), details);
                  return [{ ...entry, ...(details ? { message: details } : {}) }, ...opens];
                }),
            ),
          })),
          // Triggers that did not enter because the journey was paused with "skip new entries":
          // no enrollment to hang them on, so support sees them here, with the reason.
          skipped: log
            .filter((l) => l.enrollment_id === null && l.type === "skipped")
            .map((l) => ({
              id: Number(l.id),
              at: l.at,
              journeyId: l.journey_id,
              journeyName: l.journey_name,
              nodeId: l.node_id,
              type: l.type,
              reason: l.reason,
              detail: l.detail,
              ...l.data,
            })),
        });
      },
    },
  ];
}

/** Rows by time, stable: an open comes after its send, however the log's ids interleave. */
function inOrder<T extends { at: string }>(rows: T[]): T[] {
  return rows
    .map((r, i) => ({ r, i, t: Date.parse(r.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.r);
}
