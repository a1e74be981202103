import type { Knex } from "knex";
import { z } from "zod";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";

const MessageQuery = z.object({
  status: z
    .enum(["queued", "sending", "sent", "delivered", "undelivered", "failed", "canceled"])
    .optional(),
  channel: z.enum(["sms", "email", "push", "webhook"]).optional(),
  journey: z.string().max(64).optional(),
  contact: z.coerce.number().int().positive().optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function messageRoutes(knex: Knex): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/messages",
      access: "any",
      summary:
        "The outbox, newest first; filter by status, channel, journey, contact; page with `before`",
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
          );
        if (q.status) query.where("m.status", q.status);
        if (q.channel) query.where("m.channel", q.channel);
        if (q.journey) query.where("m.journey_id", q.journey);
        if (q.contact) query.where("m.contact_id", q.contact);
        if (q.before) query.where("m.id", "<", q.before);
        res.json({ messages: await query });
      },
    },
    {
      method: "get",
      path: "/api/journeys/:id/stats",
      access: "any",
      summary:
        "Per journey and per node: in the node now, entered, exited, sent, delivered, clicked, suppressed by reason, converted",
      async handler(req, res) {
        const id = param(req, "id");
        const exists = await knex("journeys").where({ id }).first("id");
        if (!exists) throw new HttpError(404, "not_found", `no journey "${id}"`);
        const [current, log, sends] = [
          (await knex("enrollments")
            .where({ journey_id: id, status: "active" })
            .select("current_node as node")
            .count("* as n")
            .groupBy("current_node")) as { node: string; n: string | number }[],
          (await knex("enrollment_log")
            .where({ journey_id: id })
            .select("node_id as node", "type", "reason")
            .count("* as n")
            .groupBy("node_id", "type", "reason")) as {
            node: string;
            type: string;
            reason: string | null;
            n: string | number;
          }[],
          (await knex("messages")
            .where({ journey_id: id, is_test: false })
            .select("node_id as node")
            .count("* as sent")
            .select(
              knex.raw("count(*) filter (where status = 'delivered') as delivered"),
              knex.raw("count(clicked_at) as clicked"),
            )
            .groupBy("node_id")) as {
            node: string;
            sent: string | number;
            delivered: string | number;
            clicked: string | number;
          }[],
        ];
        type NodeStats = {
          current: number;
          entered: number;
          exited: number;
          sent: number;
          delivered: number;
          clicked: number;
          converted: number;
          suppressed: Record<string, number>;
          deferred: Record<string, number>;
        };
        const nodes: Record<string, NodeStats> = {};
        const at = (node: string) => {
          nodes[node] ??= {
            current: 0,
            entered: 0,
            exited: 0,
            sent: 0,
            delivered: 0,
            clicked: 0,
            converted: 0,
            suppressed: {},
            deferred: {},
          };
          return nodes[node];
        };
        for (const r of current) at(r.node).current = Number(r.n);
        for (const r of log) {
          const s = at(r.node);
          const n = Number(r.n);
          if (r.type === "entered") s.entered += n;
          else if (r.type === "exited") s.exited += n;
          else if (r.type === "converted") s.converted += n;
          else if (r.type === "suppressed")
            s.suppressed[r.reason ?? "unknown"] = (s.suppressed[r.reason ?? "unknown"] ?? 0) + n;
          else if (r.type === "deferred")
            s.deferred[r.reason ?? "unknown"] = (s.deferred[r.reason ?? "unknown"] ?? 0) + n;
        }
        for (const r of sends) {
          const s = at(r.node);
          s.sent = Number(r.sent);
          s.delivered = Number(r.delivered);
          s.clicked = Number(r.clicked);
        }
        const total = Object.values(nodes).reduce(
          (t, s) => ({
            current: t.current + s.current,
            entered: t.entered + s.entered,
            exited: t.exited + s.exited,
            sent: t.sent + s.sent,
            delivered: t.delivered + s.delivered,
            clicked: t.clicked + s.clicked,
            converted: t.converted + s.converted,
          }),
          { current: 0, entered: 0, exited: 0, sent: 0, delivered: 0, clicked: 0, converted: 0 },
        );
        res.json({ journeyId: id, total, nodes });
      },
    },
  ];
}
