import type { Knex } from "knex";
import { rowset } from "../../runtime/sql/rowset.ts";

/*
 * Recording what the provider said, for a row this worker claimed.
 *
 * Why every statement is guarded by `locked_by = <worker> and status = 'sending'`: only the
 * lease holder may record an outcome. If the lease expired and another worker re-claimed the
 * row, or a status callback already moved it on (Twilio can call back before its API answer
 * reaches us), the guard matches nothing and the stale outcome is dropped instead of
 * overwriting a newer truth. Each is one short statement: no transaction spans a provider call.
 *
 * outcome_unknown_since (set by the claim) is cleared by an outcome that settles the question
 * (sent, or an answer saying it was not taken when no earlier call is in doubt), and kept by
 * `markUnknown`, so the next claim reconciles from the first call that may have got through.
 */

/** The row an outcome touched, for the event that tells waiting journeys about it. */
export interface OutcomeRow {
  id: string | number;
  contact_id: string | number;
  journey_id: string | null;
  node_id: string | null;
  status: string;
}

type Db = Knex | Knex.Transaction;

export async function markSent(
  db: Db,
  row: { id: number; workerId: string; provider: string; providerMessageId: string; now: Date },
): Promise<boolean> {
  const result = (await db.raw(
    `update messages
        set status = 'sent', provider = ?, provider_message_id = ?, sent_at = ?,
            locked_by = null, locked_until = null, last_error = null,
            outcome_unknown_since = null, updated_at = ?
      where id = ? and locked_by = ? and status = 'sending'`,
    [row.provider, row.providerMessageId, row.now, row.now, row.id, row.workerId],
  )) as { rowCount?: number | null };
  return (result.rowCount ?? 0) > 0;
}

export interface SentRow {
  id: number;
  provider: string;
  provider_message_id: string;
  /** When the provider answered: the row's sent_at, as markSent would have written it then. */
  sent_at: string;
}

const SENT_ROWS = rowset<SentRow>([
  ["id", "bigint"],
  ["provider", "text"],
  ["provider_message_id", "text"],
  ["sent_at", "timestamptz"],
]);

/**
 * markSent for many rows in one statement (server/delivery/recorder.ts): the same columns and
 * the same lease guard per row, so a row another worker re-claimed, or a callback moved on, is
 * left alone exactly as markSent leaves it. Returns the ids it wrote. Why one statement: one
 * UPDATE per message was a third of the statements delivery ran per message (issue 18).
 *
 * Why the guard is wrapped in `is true` and the rowset carries a limit: written plainly, the
 * guard matches messages_lease_idx's predicate (status = 'sending'), the planner took that
 * partial index for a handful of rows, and every flush read all of it — 4,900 index entries a
 * flush, mostly rows already sent whose entries vacuum had not yet removed (issue 18's bench:
 * half of PostgreSQL's CPU). `is true` is the same condition (a null is not true either) but
 * not one the planner proves the index predicate from; the limit tells it how few rows come,
 * so it looks each up by primary key.
 */
export async function markSentMany(
  db: Db,
  batch: { workerId: string; rows: readonly SentRow[]; now: Date },
): Promise<Set<number>> {
  if (batch.rows.length === 0) return new Set();
  const { rows } = (await db.raw(
    `update messages m
        set status = 'sent', provider = r.provider, provider_message_id = r.provider_message_id,
            sent_at = r.sent_at, locked_by = null, locked_until = null, last_error = null,
            outcome_unknown_since = null, updated_at = ?
       from (select * from ${SENT_ROWS.sql} x limit ${batch.rows.length}) r
      where m.id = r.id and (m.locked_by = ? and m.status = 'sending') is true
      returning m.id`,
    [batch.now, SENT_ROWS.param(batch.rows), batch.workerId],
  )) as { rows: { id: string | number }[] };
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Back to `queued` for another attempt at `nextAttemptAt`. `unknownSince`: what is still in
 * doubt — null when this call was refused and nothing earlier is unresolved, the earlier
 * value when a call before this one may still have been accepted.
 */
export async function markRetry(
  db: Db,
  row: {
    id: number;
    workerId: string;
    provider: string;
    error: string;
    nextAttemptAt: Date;
    unknownSince: Date | null;
    now: Date;
  },
): Promise<boolean> {
  const result = (await db.raw(
    `update messages
        set status = 'queued', provider = ?, last_error = ?, next_attempt_at = ?,
            outcome_unknown_since = ?, locked_by = null, locked_until = null, updated_at = ?
      where id = ? and locked_by = ? and status = 'sending'`,
    [row.provider, row.error, row.nextAttemptAt, row.unknownSince, row.now, row.id, row.workerId],
  )) as { rowCount?: number | null };
  return (result.rowCount ?? 0) > 0;
}

/**
 * The call may have been accepted (a timeout, a lost connection): back to `queued` with
 * outcome_unknown_since kept as the claim set it, so the next claim reconciles first.
 */
export async function markUnknown(
  db: Db,
  row: {
    id: number;
    workerId: string;
    provider: string;
    error: string;
    nextAttemptAt: Date;
    now: Date;
  },
): Promise<boolean> {
  const result = (await db.raw(
    `update messages
        set status = 'queued', provider = ?, last_error = ?, next_attempt_at = ?,
            locked_by = null, locked_until = null, updated_at = ?
      where id = ? and locked_by = ? and status = 'sending'`,
    [row.provider, row.error, row.nextAttemptAt, row.now, row.id, row.workerId],
  )) as { rowCount?: number | null };
  return (result.rowCount ?? 0) > 0;
}

/**
 * Of the provider ids a lookup matched, those another of our messages already holds: a
 * lookup matches on what the provider keeps (number, text, time), and the same text to the
 * same number can be two messages. Uses messages_provider_idx.
 */
export async function idsOwnedByOthers(
  db: Db,
  query: { id: number; provider: string; providerMessageIds: string[] },
): Promise<Set<string>> {
  const { rows } = (await db.raw(
    `select provider_message_id from messages
      where provider = ? and provider_message_id = any(?::text[]) and id <> ?`,
    [query.provider, query.providerMessageIds, query.id],
  )) as { rows: { provider_message_id: string }[] };
  return new Set(rows.map((r) => r.provider_message_id));
}

export async function markFailed(
  db: Db,
  row: { id: number; workerId: string; provider: string | null; error: string; now: Date },
): Promise<OutcomeRow | null> {
  const { rows } = (await db.raw(
    `update messages
        set status = 'failed', provider = coalesce(?, provider), last_error = ?,
            locked_by = null, locked_until = null, updated_at = ?
      where id = ? and locked_by = ? and status = 'sending'
      returning id, contact_id, journey_id, node_id, status`,
    [row.provider, row.error, row.now, row.id, row.workerId],
  )) as { rows: OutcomeRow[] };
  return rows[0] ?? null;
}
