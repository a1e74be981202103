import type { Knex } from "knex";

/*
 * Recording what the provider said, for a row this worker claimed.
 *
 * Why every statement is guarded by `locked_by = <worker> and status = 'sending'`: only the
 * lease holder may record an outcome. If the lease expired and another worker re-claimed the
 * row, or a status callback already moved it on (Twilio can call back before its API answer
 * reaches us), the guard matches nothing and the stale outcome is dropped instead of
 * overwriting a newer truth. Each is one short statement: no transaction spans a provider call.
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
            locked_by = null, locked_until = null, last_error = null, updated_at = ?
      where id = ? and locked_by = ? and status = 'sending'`,
    [row.provider, row.providerMessageId, row.now, row.now, row.id, row.workerId],
  )) as { rowCount?: number | null };
  return (result.rowCount ?? 0) > 0;
}

/** Back to `queued` for another attempt at `nextAttemptAt`. */
export async function markRetry(
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
