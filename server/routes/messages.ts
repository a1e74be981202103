import type { Knex } from "knex";
import { ErrorBody } from "../api/common.ts";
import { MessageList, MessageQuery } from "../api/contacts.ts";
import { JourneyStats } from "../api/journeys.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { maskText, seesMaskedData } from "../privacy/mask.ts";
import { journeyNodeStats } from "../results/node-stats.ts";

/** The columns the handler reads; the rest pass through to the answer as selected. */
type MessageRow = {
  /** bigint columns: node-postgres hands them over as strings, PGlite as numbers. */
  id: string | number;
  contactId: string | number;
  body: string;
  lastError: string | null;
  contactEmail: string | null;
  [column: string]: unknown;
};

export function messageRoutes(knex: Knex): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/messages",
      access: "any",
      summary:
        "The outbox, newest first; filter by status, channel, journey, contact; page with `before`",
      query: MessageQuery,
      responses: { 200: MessageList },
      async handler(req, res) {
        const q = parseBody(MessageQuery, req.query);
        const query = knex("messages as m")
          .join("contacts as c", "c.id", "m.contact_id")
          .orderBy("m.id", "desc")
          .limit(q.limit)
          .select(
            "m.id",
            "c.external_id as contact",
            "m.contact_id as contactId",
            "m.journey_id as journeyId",
            "m.node_id as nodeId",
            "m.channel",
            "m.category",
            "m.body",
            "m.encoding",
            "m.parts",
            "m.status",
            "m.attempts",
            "m.provider",
            "m.last_error as lastError",
            "m.created_at as createdAt",
            "m.sent_at as sentAt",
            "m.delivered_at as deliveredAt",
            "m.clicked_at as clickedAt",
            "m.converted_at as convertedAt",
            "m.conversion_event as conversionEvent",
            "c.email as contactEmail",
          );
        if (q.status) query.where("m.status", q.status);
        if (q.channel) query.where("m.channel", q.channel);
        if (q.journey) query.where("m.journey_id", q.journey);
        if (q.contact) query.where("m.contact_id", q.contact);
        if (q.before) query.where("m.id", "<", q.before);
        const masked = seesMaskedData(req.operator?.role);
        const rows = (await query) as MessageRow[];
        res.json({
          messages: rows.map(({ contactEmail, ...row }) => {
            const m = { ...row, id: Number(row.id), contactId: Number(row.contactId) };
            return masked
              ? {
                  ...m,
                  body: maskText(m.body, contactEmail),
                  lastError: m.lastError === null ? null : maskText(m.lastError, contactEmail),
                }
              : m;
          }),
        });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/stats",
      access: "any",
      summary:
        "Per journey and per node: in the node now, entered, exited, sent, delivered, clicked, suppressed by reason, converted",
      responses: { 200: JourneyStats, 404: ErrorBody },
      async handler(req, res) {
        const id = param(req, "id");
        const exists = await knex("journeys").where({ id }).first("id");
        if (!exists) throw new HttpError(404, "not_found", `no journey "${id}"`);
        const { total, nodes } = await journeyNodeStats(knex, id);
        res.json({ journeyId: id, total, nodes });
      },
    },
  ];
}
