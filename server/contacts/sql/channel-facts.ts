import type { Knex } from "knex";

/*
 * What the inspector and the outbox show of push messages beyond their row (issue #19): which
 * browser subscriptions' push services accepted each (push_deliveries, by its primary key's
 * leading message_id), and where a tracked click URL leads (link_tokens, by its primary key).
 * Both are asked once per page for all its messages, never per message.
 */

export interface PushAcceptance {
  messageId: number;
  acceptedAt: Date;
  /** The subscription as stored: encrypted (it would let anyone push to that browser). */
  subscriptionEncrypted: string;
}

export async function pushAcceptances(knex: Knex, messageIds: number[]): Promise<PushAcceptance[]> {
  if (messageIds.length === 0) return [];
  const rows = (await knex("push_deliveries as d")
    .join("push_subscriptions as s", "s.id", "d.subscription_id")
    .whereIn("d.message_id", messageIds)
    .orderBy(["d.message_id", "d.accepted_at"])
    .select("d.message_id", "d.accepted_at", "s.subscription_encrypted")) as {
    message_id: string | number;
    accepted_at: Date;
    subscription_encrypted: string;
  }[];
  return rows.map((r) => ({
    messageId: Number(r.message_id),
    acceptedAt: new Date(r.accepted_at),
    subscriptionEncrypted: r.subscription_encrypted,
  }));
}

/** Token → destination, for the tracked links named. */
export async function linkDestinations(knex: Knex, tokens: string[]): Promise<Map<string, string>> {
  if (tokens.length === 0) return new Map();
  const rows = (await knex("link_tokens").whereIn("token", tokens).select("token", "url")) as {
    token: string;
    url: string;
  }[];
  return new Map(rows.map((r) => [r.token, r.url]));
}
