import type { Knex } from "knex";
import type { OutcomeRow } from "./outcome.ts";

/*
 * Claiming due outbox rows, and giving back the ones a dead worker held.
 *
 * Why one statement: the claim must be atomic (two workers never both get a row) and short
 * (PGlite has one connection; on PostgreSQL a long transaction holds row locks and bloats).
 * `FOR UPDATE SKIP LOCKED` in the subquery lets concurrent workers take disjoint rows without
 * waiting on each other; the partial index messages_due_idx (next_attempt_at) WHERE status =
 * 'queued' keeps the scan to due rows. The UPDATE moves the rows to `sending` under a lease and
 * counts the attempt before the provider is called, so a crash mid-call still uses it up. The
 * contact's address is read in the same statement (contact_id join, which stays local once the
 * tables are distributed by contact).
 *
 * This claim must commit synchronously (the default): the ticker commits its batches with
 * synchronous_commit off, and this commit's WAL flush is what makes a batch durable before any
 * of its messages reaches a provider (server/runtime/ticker.ts).
 */

export interface ClaimedMessage {
  id: number;
  idempotencyKey: string;
  contactId: number;
  journeyId: string | null;
  nodeId: string | null;
  channel: string;
  body: string;
  attempts: number;
  phoneEncrypted: string | null;
  email: string | null;
  externalId: string;
}

interface ClaimRow {
  id: string | number;
  idempotency_key: string;
  contact_id: string | number;
  journey_id: string | null;
  node_id: string | null;
  channel: string;
  body: string;
  attempts: number;
  phone_encrypted: string | null;
  email: string | null;
  external_id: string;
}

export async function claimMessages(
  knex: Knex,
  claim: { workerId: string; now: Date; leaseMs: number; limit: number },
): Promise<ClaimedMessage[]> {
  const lockedUntil = new Date(claim.now.getTime() + claim.leaseMs);
  const { rows } = (await knex.raw(
    `with claimed as (
       update messages m
          set status = 'sending', locked_by = ?, locked_until = ?, attempts = m.attempts + 1,
              updated_at = ?
        where m.id in (
          select id from messages
           where status = 'queued' and next_attempt_at <= ?
           order by next_attempt_at
           limit ?
           for update skip locked)
       returning m.id, m.idempotency_key, m.contact_id, m.journey_id, m.node_id, m.channel,
                 m.body, m.attempts, m.next_attempt_at
     )
     select claimed.*, c.phone_encrypted, c.email, c.external_id
       from claimed join contacts c on c.id = claimed.contact_id
      order by claimed.next_attempt_at, claimed.id`,
    [claim.workerId, lockedUntil, claim.now, claim.now, claim.limit],
  )) as { rows: ClaimRow[] };
  return rows.map((r) => ({
    id: Number(r.id),
    idempotencyKey: r.idempotency_key,
    contactId: Number(r.contact_id),
    journeyId: r.journey_id,
    nodeId: r.node_id,
    channel: r.channel,
    body: r.body,
    attempts: Number(r.attempts),
    phoneEncrypted: r.phone_encrypted,
    email: r.email,
    externalId: r.external_id,
  }));
}

/**
 * Rows whose lease ran out go back to `queued`, due at once. A live worker whose call outlasted
 * its lease loses the row here; its later outcome update matches nothing (it is guarded by
 * locked_by and status), and the next claim re-sends with the same idempotency key, which the
 * provider deduplicates. A row that has used all its attempts fails instead: a message that
 * kills every worker that sends it must not kill them forever. Uses messages_lease_idx
 * (locked_until) WHERE status = 'sending'.
 */
export async function releaseExpiredLeases(
  knex: Knex | Knex.Transaction,
  sweep: { now: Date; maxAttempts: number },
): Promise<OutcomeRow[]> {
  const { rows } = (await knex.raw(
    `update messages
        set status = case when attempts >= ? then 'failed' else 'queued' end,
            locked_by = null, locked_until = null, next_attempt_at = ?,
            last_error = 'lease expired: the worker stopped before recording the outcome',
            updated_at = ?
      where status = 'sending' and locked_until < ?
      returning id, contact_id, journey_id, node_id, status`,
    [sweep.maxAttempts, sweep.now, sweep.now, sweep.now],
  )) as { rows: OutcomeRow[] };
  return rows;
}
