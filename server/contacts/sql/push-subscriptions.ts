import type { Knex } from "knex";
import type { FieldCrypto } from "../../privacy/keys.ts";
import type { PushSubscription } from "../push-subscriptions.ts";

/*
 * Push subscriptions and which of them accepted a message (migrations/20261206170000_push_
 * subscriptions.ts). Why a module of its own: the rows are written by the ingest-side
 * registration route and read, pruned and marked by the push provider at send time, and both
 * find a subscription through the blind index rather than the encrypted value.
 */

/**
 * A person's browsers churn (new profile, cleared data, a reinstall) and the old endpoints only
 * fail once pushed to; past this many, registering one drops the oldest, so a contact's fan-out
 * and a hostile site's writes stay bounded.
 */
export const MAX_SUBSCRIPTIONS_PER_CONTACT = 20;

/**
 * Stores (or moves to this contact, or refreshes) a subscription, in one transaction with the
 * trim of the contact's oldest beyond the cap. Returns the row's id.
 */
export async function saveSubscription(
  trx: Knex.Transaction,
  crypto: FieldCrypto,
  row: { contactId: number; endpointHash: string; subscription: PushSubscription; now: Date },
): Promise<number> {
  const { rows } = (await trx.raw(
    `insert into push_subscriptions (contact_id, endpoint_hash, subscription_encrypted, created_at, updated_at)
     values (?, ?, ?, ?, ?)
     on conflict (endpoint_hash) do update
       set contact_id = excluded.contact_id,
           subscription_encrypted = excluded.subscription_encrypted,
           updated_at = excluded.updated_at
     returning id`,
    [
      row.contactId,
      row.endpointHash,
      crypto.encrypt(JSON.stringify(row.subscription)),
      row.now,
      row.now,
    ],
  )) as { rows: { id: string | number }[] };
  await trx.raw(
    `delete from push_subscriptions where contact_id = ? and id not in (
       select id from push_subscriptions where contact_id = ?
        order by updated_at desc, id desc limit ?)`,
    [row.contactId, row.contactId, MAX_SUBSCRIPTIONS_PER_CONTACT],
  );
  return Number(rows[0]?.id);
}

/** Removes the subscription with this endpoint, whoever it belongs to; true when one was. */
export async function deleteSubscriptionByHash(knex: Knex, endpointHash: string): Promise<boolean> {
  // `returning`, not knex's affected count: on PGlite that came back 0 for a row deleted.
  const { rows } = (await knex.raw(
    "delete from push_subscriptions where endpoint_hash = ? returning id",
    [endpointHash],
  )) as { rows: unknown[] };
  return rows.length > 0;
}

/** A subscription the push service called gone (404/410): removed by id, once. */
export async function deleteSubscription(knex: Knex, id: number): Promise<void> {
  await knex("push_subscriptions").where({ id }).delete();
}

export type StoredSubscription = { id: number; subscription: PushSubscription };

/**
 * The subscriptions of the message's contact, oldest first, decrypted. Read at send time (not
 * copied into the outbox), so a browser registered or removed after the message was queued is
 * honoured. Rows that no longer decrypt (WAYMARK_SECRET changed) come back as `undecryptable`.
 */
export async function subscriptionsForMessage(
  knex: Knex,
  crypto: FieldCrypto,
  messageId: number,
): Promise<{ found: StoredSubscription[]; undecryptable: number }> {
  const { rows } = (await knex.raw(
    `select s.id, s.subscription_encrypted
       from messages m join push_subscriptions s on s.contact_id = m.contact_id
      where m.id = ?
      order by s.id`,
    [messageId],
  )) as { rows: EncryptedRow[] };
  return decrypted(crypto, rows);
}

/**
 * The subscriptions of the contact with this external id, as `subscriptionsForMessage` reads
 * them: a provider test send (Settings → Providers) names a contact and has no message row.
 */
export async function subscriptionsForContact(
  knex: Knex,
  crypto: FieldCrypto,
  externalId: string,
): Promise<{ found: StoredSubscription[]; undecryptable: number }> {
  const { rows } = (await knex.raw(
    `select s.id, s.subscription_encrypted
       from contacts c join push_subscriptions s on s.contact_id = c.id
      where c.external_id = ?
      order by s.id`,
    [externalId],
  )) as { rows: EncryptedRow[] };
  return decrypted(crypto, rows);
}

type EncryptedRow = { id: string | number; subscription_encrypted: string };

function decrypted(
  crypto: FieldCrypto,
  rows: EncryptedRow[],
): { found: StoredSubscription[]; undecryptable: number } {
  const found: StoredSubscription[] = [];
  let undecryptable = 0;
  for (const r of rows) {
    try {
      const s = JSON.parse(crypto.decrypt(r.subscription_encrypted)) as PushSubscription;
      found.push({ id: Number(r.id), subscription: s });
    } catch {
      undecryptable += 1;
    }
  }
  return { found, undecryptable };
}

/** How many subscriptions a contact has (the inspector's and the tests' view). */
export async function subscriptionCount(knex: Knex, contactId: number): Promise<number> {
  const row = (await knex("push_subscriptions")
    .where({ contact_id: contactId })
    .count({ n: "*" })
    .first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** The subscriptions a push service already accepted this message for: not pushed again. */
export async function acceptedFor(knex: Knex, messageId: number): Promise<Map<number, string>> {
  const rows = (await knex("push_deliveries")
    .where({ message_id: messageId })
    .select("subscription_id", "provider_message_id")) as {
    subscription_id: string | number;
    provider_message_id: string;
  }[];
  return new Map(rows.map((r) => [Number(r.subscription_id), r.provider_message_id]));
}

/**
 * Recorded as soon as the push service answers, before the message's own outcome: a worker
 * that dies before recording that leaves the acceptance known, and the resend skips it.
 */
export async function recordAccepted(
  knex: Knex,
  row: { messageId: number; subscriptionId: number; providerMessageId: string; at: Date },
): Promise<void> {
  await knex.raw(
    `insert into push_deliveries (message_id, subscription_id, provider_message_id, accepted_at)
     values (?, ?, ?, ?) on conflict do nothing`,
    [row.messageId, row.subscriptionId, row.providerMessageId, row.at],
  );
}
