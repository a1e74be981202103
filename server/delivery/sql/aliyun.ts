import type { Knex } from "knex";

/*
 * Aliyun's receipts name a message by the OutId we chose (messages.provider_key, indexed by
 * messages_provider_key_idx): found even before the worker recorded the BizId, and for messages
 * settled by QuerySendDetails, which never learn one. The index holds attempted messages only
 * (migrations/20261207010000_provider_key_idx_attempted.ts); `attempts > 0` here lets the
 * planner use it, and a receipt names a message an attempt sent. The stored provider id is returned so the
 * status report matches it (server/delivery/sql/reports.ts).
 */
export async function messageByOutId(
  db: Knex | Knex.Transaction,
  outId: string,
): Promise<{ id: number; providerMessageId: string | null } | null> {
  const row = (await db("messages")
    .where({ provider_key: outId })
    .where("attempts", ">", 0)
    .first("id", "provider_message_id")) as
    | { id: string | number; provider_message_id: string | null }
    | undefined;
  return row ? { id: Number(row.id), providerMessageId: row.provider_message_id } : null;
}
