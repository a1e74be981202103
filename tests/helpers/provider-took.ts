import type { Knex } from "knex";

/**
 * What a provider's acceptance records on the journey's queued messages (status 'sent' and
 * sent_at, as the delivery worker's markSent writes them), for tests that drive the ticker by
 * hand without a delivery worker. Conversions count from sent_at (server/results/queries.ts).
 * `userId` narrows it to one contact's messages.
 */
export async function providerTook(
  knex: Knex,
  journeyId: string,
  at: Date,
  userId?: string,
): Promise<number> {
  const q = knex("messages").where({ journey_id: journeyId, status: "queued" });
  if (userId !== undefined) {
    q.whereIn("contact_id", knex("contacts").select("id").where({ external_id: userId }));
  }
  return q.update({ status: "sent", provider: "test", sent_at: at, updated_at: at });
}
