import type { Knex } from "knex";
import type { JourneyEvent } from "../../../engine/contact.ts";
import type { EnrollmentSnapshot } from "../../../engine/snapshot.ts";

export interface ClaimedEnrollment {
  id: number;
  contactId: number;
  journeyId: string;
  versionId: number;
  snapshot: EnrollmentSnapshot | null;
  entryEvent: JourneyEvent | null;
  eventCursor: number;
  currentNode: string;
  /** What the stored snapshot listens to: events with other names are skipped, not fed. */
  waitsFor: string[];
}

/**
 * Claims up to `limit` due enrollments for this transaction. SKIP LOCKED lets several workers
 * claim disjoint batches without waiting on each other (graphile-worker's getJobs); the due
 * index is partial (`wake_at < 'infinity'`), so parked and event-only rows cost nothing here.
 * The row locks last until the batch commits: a worker that dies releases them with its
 * connection, so no lease or sweep is needed. `exclusive` (PGlite: one connection, so one
 * transaction at a time) takes no locks: no other transaction can be claiming, and each row
 * lock writes a WAL record and dirties its page.
 */
export async function claimDue(
  trx: Knex.Transaction,
  now: Date,
  limit: number,
  exclusive = false,
): Promise<ClaimedEnrollment[]> {
  const result = (await trx.raw(
    `with due as (
       select w.enrollment_id
         from enrollment_wakeups w
        where w.wake_at <= ? and w.wake_at < 'infinity'
        order by w.wake_at
        limit ?${exclusive ? "" : "\n          for update skip locked"}
     )
     select e.id, e.contact_id, e.journey_id, e.version_id, e.snapshot, e.entry_event,
            e.event_cursor, e.current_node, e.waits_for
       from due join enrollments e on e.id = due.enrollment_id
      where e.status = 'active'
      order by e.contact_id, e.id`,
    [now, limit],
  )) as {
    rows: {
      id: string | number;
      contact_id: string | number;
      journey_id: string;
      version_id: string | number;
      snapshot: EnrollmentSnapshot | null;
      entry_event: JourneyEvent | null;
      event_cursor: string | number;
      current_node: string;
      waits_for: string[];
    }[];
  };
  return result.rows.map((r) => ({
    id: Number(r.id),
    contactId: Number(r.contact_id),
    journeyId: r.journey_id,
    versionId: Number(r.version_id),
    snapshot: r.snapshot,
    entryEvent: r.entry_event,
    eventCursor: Number(r.event_cursor),
    currentNode: r.current_node,
    waitsFor: r.waits_for ?? [],
  }));
}
