import type { Knex } from "knex";

/** The SMS a bench user gets, rendered for a six-digit user: the engine's text and length. */
const BODY = "Hi User123456, your coupon C1234 expires in 48h\nReply STOP to opt out";

/**
 * The physical floor (issue 18): the least SQL that moves a user — claim its due wake-up
 * (SKIP LOCKED, as the ticker), one UPDATE that moves it on (its next wake-up: here the row is
 * the user's whole state), one INSERT into the outbox — as one statement per batch in one
 * transaction with the ticker's settings. No contact lock, no snapshot, no timeline: how far
 * the design's own floor (the replay floor) is from what PostgreSQL can do at all.
 */
export async function physicalTick(
  knex: Knex,
  now: Date,
  batchSize: number,
): Promise<{ claimed: number }> {
  return knex.transaction(async (trx) => {
    await trx.raw(
      "select set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)",
    );
    const next = new Date(now.getTime() + 86_400_000);
    const r = (await trx.raw(
      `with due as (
         select w.enrollment_id
           from enrollment_wakeups w
          where w.wake_at <= ? and w.wake_at < 'infinity'
          order by w.wake_at
          limit ?
            for update skip locked
       ), moved as (
         update enrollment_wakeups w set wake_at = ?
           from due where w.enrollment_id = due.enrollment_id
         returning w.enrollment_id, w.contact_id
       )
       insert into messages (idempotency_key, contact_id, enrollment_id, journey_id, node_id,
                             channel, category, body, encoding, parts, next_attempt_at,
                             created_at, updated_at)
       select 'e' || enrollment_id || ':sms:1', contact_id, enrollment_id, 'bench', 'sms',
              'sms', 'promotional', ?, 'GSM-7', 1, ?, ?, ?
         from moved`,
      [now, batchSize, next, BODY, now, now, now],
    )) as { rowCount: number | null };
    return { claimed: r.rowCount ?? 0 };
  });
}
