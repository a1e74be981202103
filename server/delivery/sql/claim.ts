import type { Knex } from "knex";
import type { MessagePayload } from "../../../engine/effects.ts";
import type { OutcomeRow } from "./outcome.ts";

/*
 * Claiming due outbox rows, and giving back the ones a dead worker held.
 *
 * Why one statement: the claim must be atomic (two workers never both get a row) and short
 * (PGlite has one connection; on PostgreSQL a long transaction holds row locks and bloats).
 * `FOR UPDATE SKIP LOCKED` lets concurrent workers take disjoint rows without waiting on each
 * other. The UPDATE moves the rows to `sending` under a lease and counts the attempt before the
 * provider is called, so a crash mid-call still uses it up. The contact's address is read in
 * the same statement (contact_id join, which stays local once the tables are distributed by
 * contact).
 *
 * Per channel, retries first: each channel asks for as many rows as its lane has room for
 * (server/delivery/lanes.ts), so a hanging SMS provider never claims, and sits on, email rows.
 * Within a channel the rows already attempted come first (messages_retry_idx), then first
 * attempts (messages_due_idx), each in due order: a retry is an older message whose time has
 * come, and behind a backlog of thousands it went out 393 s late instead of at +1.8 s.
 *
 * The claim also marks the outcome unknown from now on (`outcome_unknown_since`), until the
 * worker records what the provider said. A worker that dies in between leaves it set; the
 * next claim returns the value it found (`unknownSince`), and the worker asks the provider
 * before it sends again (server/delivery/attempt.ts).
 *
 * This claim must commit synchronously (the default): the ticker commits its batches with
 * synchronous_commit off, and this commit's WAL flush is what makes a batch durable before any
 * of its messages reaches a provider (server/runtime/ticker.ts).
 */

export interface ClaimedMessage {
  id: number;
  /** What the provider sees: messages.provider_key (or, for rows from before it, the old key). */
  providerKey: string;
  contactId: number;
  journeyId: string | null;
  nodeId: string | null;
  channel: string;
  category: string;
  body: string;
  /** Email: subject, HTML, sender; webhook: the request (messages.payload); else null. */
  payload: MessagePayload | null;
  attempts: number;
  /** Set when an earlier call may have been accepted: reconcile before sending. */
  unknownSince: Date | null;
  phoneEncrypted: string | null;
  email: string | null;
  externalId: string;
}

interface ClaimRow {
  id: string | number;
  provider_key: string;
  contact_id: string | number;
  journey_id: string | null;
  node_id: string | null;
  channel: string;
  category: string;
  body: string;
  payload: MessagePayload | null;
  attempts: number;
  unknown_since: Date | string | null;
  phone_encrypted: string | null;
  email: string | null;
  external_id: string;
}

/** How many rows each channel wants; channels not listed are not claimed. */
export type ClaimWants = { channel: string; limit: number }[];

export async function claimMessages(
  knex: Knex,
  claim: { workerId: string; now: Date; leaseMs: number; wants: ClaimWants },
): Promise<ClaimedMessage[]> {
  const wants = claim.wants.filter((w) => w.limit > 0);
  if (wants.length === 0) return [];
  const lockedUntil = new Date(claim.now.getTime() + claim.leaseMs);
  // One block per channel, its limit written into the text: with `limit w.n` from an unnest
  // the planner guessed 500 rows picked and joined them to messages and contacts by hashing
  // both tables whole — 64 ms for a claim of 5 from 50,000 queued rows, against 3 ms for 50
  // by the primary keys with the limit known (issue 18). The limits are integers we computed.
  const picks = wants.map((w) => {
    const n = Math.max(1, Math.floor(w.limit));
    return `select * from (
         select * from (
           select id, outcome_unknown_since from messages
            where status = 'queued' and attempts > 0 and channel = ?
              and next_attempt_at <= ?
            order by next_attempt_at limit ${n}
            for update skip locked) retries
         union all
         select * from (
           select id, outcome_unknown_since from messages
            where status = 'queued' and attempts = 0 and channel = ?
              and next_attempt_at <= ?
            order by next_attempt_at limit ${n}
            for update skip locked) firsts
         limit ${n}) p`;
  });
  const { rows } = (await knex.raw(
    `with picked as (
       ${picks.join("\n       union all\n       ")}
     ),
     claimed as (
       update messages m
          set status = 'sending', locked_by = ?, locked_until = ?, attempts = m.attempts + 1,
              outcome_unknown_since = coalesce(m.outcome_unknown_since, ?), updated_at = ?
         from picked
        where m.id = picked.id
       returning m.id, coalesce(m.provider_key::text, m.idempotency_key) as provider_key,
                 m.contact_id, m.journey_id, m.node_id, m.channel, m.category, m.body, m.payload, m.attempts,
                 picked.outcome_unknown_since as unknown_since, m.next_attempt_at
     )
     select claimed.*, c.phone_encrypted, c.email, c.external_id
       from claimed join contacts c on c.id = claimed.contact_id
      order by claimed.next_attempt_at, claimed.id`,
    [
      ...wants.flatMap((w) => [w.channel, claim.now, w.channel, claim.now]),
      claim.workerId,
      lockedUntil,
      claim.now,
      claim.now,
    ],
  )) as { rows: ClaimRow[] };
  return rows.map((r) => ({
    id: Number(r.id),
    providerKey: r.provider_key,
    contactId: Number(r.contact_id),
    journeyId: r.journey_id,
    nodeId: r.node_id,
    channel: r.channel,
    category: r.category,
    body: r.body,
    payload: r.payload,
    attempts: Number(r.attempts),
    unknownSince: r.unknown_since === null ? null : new Date(r.unknown_since),
    phoneEncrypted: r.phone_encrypted,
    email: r.email,
    externalId: r.external_id,
  }));
}

/**
 * Rows whose lease ran out go back to `queued`, due at once, with their outcome still unknown
 * (outcome_unknown_since, set by the claim): the next claim asks the provider whether the dead
 * worker's call got through before anything is sent again. A live worker whose call outlasted
 * its lease loses the row here; its later outcome update matches nothing (it is guarded by
 * locked_by and status). A row past its attempts (the reconciling claim may use one more) fails
 * instead: a message that kills every worker that sends it must not kill them forever. Uses
 * messages_lease_idx (locked_until) WHERE status = 'sending'.
 */
export async function releaseExpiredLeases(
  knex: Knex | Knex.Transaction,
  sweep: { now: Date; maxAttempts: number },
): Promise<OutcomeRow[]> {
  const { rows } = (await knex.raw(
    `update messages
        set status = case when attempts > ? then 'failed' else 'queued' end,
            locked_by = null, locked_until = null, next_attempt_at = ?,
            last_error = 'lease expired: the worker stopped before recording the outcome; reconciled before any resend',
            updated_at = ?
      where status = 'sending' and locked_until < ?
      returning id, contact_id, journey_id, node_id, status`,
    [sweep.maxAttempts, sweep.now, sweep.now, sweep.now],
  )) as { rows: OutcomeRow[] };
  return rows;
}
