import type { Knex } from "knex";
import type { PAUSE_ENTRIES } from "../api/journeys.ts";
import { DomainError } from "../domain-error.ts";

/**
 * A journey's status after publishing: live ⇄ paused → archived. Pausing holds every user where
 * they are (their wake-ups held, not deleted), resuming makes them due at once, archiving exits
 * them; each is one transaction with the status change, so no user is left half-moved.
 */

/**
 * What a trigger does while its journey is paused (issue #16): `wait` enrolls the contact held at
 * entry until resume; `skip` does not enroll, and logs and counts the skip (runtime/enroll.ts).
 */
export type PauseEntries = (typeof PAUSE_ENTRIES)[number];

/**
 * Holds every user where they are: no wake-ups, no sends, events kept for later. New entries
 * follow `entries`; the pause's start bounds "skipped at most once per pause".
 */
export async function pauseJourney(
  knex: Knex,
  id: string,
  now: Date = new Date(),
  entries: PauseEntries = "skip",
): Promise<void> {
  await knex.transaction(async (trx) => {
    const n = await trx("journeys")
      .where({ id, status: "live" })
      .update({ status: "paused", pause_entries: entries, paused_at: now, updated_at: now });
    if (n === 0) throw await statusError(trx, id, "only a live journey can be paused");
    await trx.raw(
      `update enrollment_wakeups w set held = true, wake_at = 'infinity'
         from enrollments e where e.id = w.enrollment_id and e.journey_id = ? and e.status = 'active'`,
      [id],
    );
  });
}

export async function resumeJourney(knex: Knex, id: string, now: Date = new Date()): Promise<void> {
  await knex.transaction(async (trx) => {
    const n = await trx("journeys")
      .where({ id, status: "paused" })
      .update({ status: "live", pause_entries: null, paused_at: null, updated_at: now });
    if (n === 0) throw await statusError(trx, id, "only a paused journey can be resumed");
    await releaseHeld(trx, id, now);
  });
}

/**
 * Held wake-ups of journeys that are live: an entry written held ("wait") by an ingest
 * transaction that read "paused" while a resume committed, which the resume's release could
 * not see. The date scanner's loop runs this every few minutes; returns how many it released.
 */
export async function releaseStrayHeld(knex: Knex, now: Date): Promise<number> {
  const result = (await knex.raw(
    `update enrollment_wakeups w set held = false, wake_at = ?
       from enrollments e join journeys j on j.id = e.journey_id
      where w.held and e.id = w.enrollment_id and j.status = 'live'`,
    [now],
  )) as { rowCount: number | null };
  return result.rowCount ?? 0;
}

/** Resumed users are due at once; the engine re-derives waits that have not elapsed yet. */
export async function releaseHeld(trx: Knex.Transaction, id: string, now: Date): Promise<void> {
  await trx.raw(
    `update enrollment_wakeups w set held = false, wake_at = ?
       from enrollments e where e.id = w.enrollment_id and e.journey_id = ? and w.held`,
    [now, id],
  );
}

/** Ends the journey: every active user exits now, logged, and nobody enters again. */
export async function archiveJourney(
  knex: Knex,
  id: string,
  now: Date = new Date(),
): Promise<number> {
  return knex.transaction(async (trx) => {
    const n = await trx("journeys")
      .where({ id })
      .whereNot({ status: "archived" })
      .update({ status: "archived", archived_at: now, updated_at: now });
    if (n === 0) throw await statusError(trx, id, "the journey is already archived");
    const exited = (await trx.raw(
      `update enrollments set status = 'exited', ended_at = ?, exit_reason = 'archived', updated_at = ?
        where journey_id = ? and status = 'active'
       returning id, contact_id, version_id, current_node`,
      [now, now, id],
    )) as {
      rows: {
        id: string | number;
        contact_id: string | number;
        version_id: string | number;
        current_node: string;
      }[];
    };
    if (exited.rows.length > 0) {
      await trx.raw(
        `insert into enrollment_log (contact_id, enrollment_id, journey_id, version_id, node_id, type, reason, detail, at)
         select x.contact_id, x.id, ?, x.version_id, x.current_node, 'exited', 'archived', 'journey archived', ?
           from jsonb_to_recordset(?::jsonb) as x(id bigint, contact_id bigint, version_id bigint, current_node text)`,
        [id, now, JSON.stringify(exited.rows)],
      );
      await trx("enrollment_wakeups")
        .whereIn(
          "enrollment_id",
          exited.rows.map((r) => Number(r.id)),
        )
        .delete();
    }
    return exited.rows.length;
  });
}

async function statusError(
  trx: Knex.Transaction,
  id: string,
  message: string,
): Promise<DomainError> {
  const exists = await trx("journeys").where({ id }).first("status");
  return exists
    ? new DomainError("conflict", "wrong_status", `${message} (it is ${exists.status})`)
    : new DomainError("not_found", "not_found", `no journey "${id}"`);
}
