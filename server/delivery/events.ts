import type { Knex } from "knex";
import { recordEvents } from "../events/record.ts";
import type { OutcomeRow } from "./sql/outcome.ts";

/**
 * What delivery tells journeys, as ordinary events so a waiting enrollment wakes through the
 * same path as a tracked purchase. `properties.nodeId` is how the engine matches an engagement
 * event to its send (engine/events.ts `sendFor`); `journeyId` lets a reader tell apart two
 * journeys that use the same node id. The event's dedupe key is derived from the message, so a
 * repeated callback or click is stored once.
 */
export type MessageEventName =
  | "message.delivered"
  | "message.failed"
  | "message.clicked"
  | "message.opened";

const KEY_PREFIX: Record<MessageEventName, string> = {
  "message.delivered": "delivered",
  "message.failed": "failed",
  "message.clicked": "click",
  "message.opened": "open",
};

export function messageEventKey(name: MessageEventName, messageId: number): string {
  return `${KEY_PREFIX[name]}:${messageId}`;
}

export async function recordMessageEvents(
  trx: Knex | Knex.Transaction,
  name: MessageEventName,
  rows: readonly OutcomeRow[],
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const { inserted } = await recordEvents(
    trx,
    rows.map((r) => ({
      contactId: Number(r.contact_id),
      messageId: messageEventKey(name, Number(r.id)),
      name,
      properties: { nodeId: r.node_id, journeyId: r.journey_id, messageId: Number(r.id), ...extra },
      occurredAt: now,
    })),
    now,
  );
  return inserted.length;
}
