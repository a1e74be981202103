import type { Knex } from "knex";

/*
 * Delivery that survives other databases, crashes and bad providers (issue 12).
 *
 * provider_key: the key a provider sees (Idempotency-Key, I-Twilio-Idempotency-Token). The
 * outbox's idempotency_key (`e<enrollment id>:<node>:<visit>`) starts again at `e1:…` on every
 * fresh install, reset or restore, so a provider deduplicating on it dropped real messages to
 * other people. A random UUID drawn by the database as the row is inserted is unique across
 * installs and across a backup restore (an installation id is not: a restored database keeps
 * it and its sequences, and re-issues the keys the lost history already used), while a row
 * restored from the backup keeps its key, so a deduplicating provider still drops the resend
 * of a message it already delivered. idempotency_key stays the outbox's own uniqueness
 * constraint: a replayed ticker batch conflicts on it and draws no new key. No index: nothing
 * looks a message up by its provider key, and an index would be one more insert per step.
 * The column is nullable only for rows that existed before this migration: rows never
 * attempted get a key now; rows already attempted keep sending their old key (a new one would
 * defeat the provider's deduplication of their retries).
 *
 * outcome_unknown_since: set when a provider call starts (the claim) and cleared when its
 * outcome is known. Still set on a row back in `queued` means a call may have been accepted
 * (timeout, crash between the call and the commit), at or after that time: the next claim asks
 * the provider before sending again.
 *
 * Two due indexes instead of one, each per channel: delivery claims per channel (a slow provider
 * must not hold another channel's messages), and retries first (a retry goes out when it is due,
 * not behind the whole backlog). messages_due_idx keeps first attempts, the only rows the
 * ticker inserts; messages_retry_idx holds the few rows waiting for another attempt.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "alter table messages add column provider_key uuid, add column outcome_unknown_since timestamptz",
  );
  await knex.raw("alter table messages alter column provider_key set default gen_random_uuid()");
  await knex.raw(
    "update messages set provider_key = gen_random_uuid() where provider_key is null and attempts = 0",
  );
  await knex.raw("drop index if exists messages_due_idx");
  await knex.raw(
    `create index messages_due_idx on messages (channel, next_attempt_at)
       where status = 'queued' and attempts = 0`,
  );
  await knex.raw(
    `create index messages_retry_idx on messages (channel, next_attempt_at)
       where status = 'queued' and attempts > 0`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists messages_retry_idx");
  await knex.raw("drop index if exists messages_due_idx");
  await knex.raw(
    "create index messages_due_idx on messages (next_attempt_at) where status = 'queued'",
  );
  await knex.raw(
    "alter table messages drop column provider_key, drop column outcome_unknown_since",
  );
}
