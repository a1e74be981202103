import type { Knex } from "knex";
import type { z } from "zod";
import type { MessageQuery } from "../../api/contacts.ts";

/*
 * The outbox as the console lists it: newest first, filtered, paged by id (`before`), so a page
 * is one index range scan on messages' primary key whatever the table's size. The contact's
 * email comes along for masking (support sees bodies with the email masked) and is not sent;
 * so do the payload and open stamps, which the route turns into the channel's details.
 */

/** The columns the route reads; the rest pass through to the answer as selected. */
export interface OutboxRow {
  /** bigint columns: node-postgres hands them over as strings, PGlite as numbers. */
  id: string | number;
  contactId: string | number;
  body: string;
  lastError: string | null;
  contactEmail: string | null;
  channel: string;
  /** The channel's facts (server/contacts/channel-details.ts), not sent as they are. */
  payload: unknown;
  openedAt: Date | null;
  machineOpenedAt: Date | null;
  [column: string]: unknown;
}

export async function listOutbox(
  knex: Knex,
  q: z.output<typeof MessageQuery>,
): Promise<OutboxRow[]> {
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
      "m.variant",
      "c.email as contactEmail",
      "m.payload",
      "m.opened_at as openedAt",
      "m.machine_opened_at as machineOpenedAt",
    );
  if (q.status) query.where("m.status", q.status);
  if (q.channel) query.where("m.channel", q.channel);
  if (q.journey) query.where("m.journey_id", q.journey);
  if (q.contact) query.where("m.contact_id", q.contact);
  if (q.before) query.where("m.id", "<", q.before);
  return (await query) as OutboxRow[];
}
