import type { Knex } from "knex";
import { ErrorBody } from "../api/common.ts";
import { MessageList, MessageQuery } from "../api/contacts.ts";
import { JourneyStats } from "../api/journeys.ts";
import { loadPageFacts, maskDetails, messageDetails } from "../contacts/channel-details.ts";
import { listOutbox } from "../delivery/sql/outbox-list.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { journeyExists } from "../journeys/sql/journeys.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { maskText, seesMaskedData } from "../privacy/mask.ts";
import { journeyNodeStats } from "../results/node-stats.ts";

export function messageRoutes(knex: Knex, crypto: FieldCrypto): RouteSpec[] {
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
        const masked = seesMaskedData(req.operator?.role);
        const rows = await listOutbox(knex, q);
        const facts = rows.map((r) => ({
          id: Number(r.id),
          channel: r.channel,
          payload: r.payload,
          openedAt: r.openedAt,
          machineOpenedAt: r.machineOpenedAt,
        }));
        const page = await loadPageFacts(knex, crypto, facts);
        res.json({
          messages: rows.map(
            ({ contactEmail, payload: _, openedAt: _o, machineOpenedAt: _m, ...row }, i) => {
              const f = facts[i];
              const details = f ? messageDetails(f, page) : null;
              const m = {
                ...row,
                id: Number(row.id),
                contactId: Number(row.contactId),
                details,
              };
              return masked
                ? {
                    ...m,
                    body: maskText(m.body, contactEmail),
                    lastError: m.lastError === null ? null : maskText(m.lastError, contactEmail),
                    details: details && maskDetails(details, contactEmail),
                  }
                : m;
            },
          ),
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
        if (!(await journeyExists(knex, id)))
          throw new HttpError(404, "not_found", `no journey "${id}"`);
        const { total, nodes } = await journeyNodeStats(knex, id);
        res.json({ journeyId: id, total, nodes });
      },
    },
  ];
}
