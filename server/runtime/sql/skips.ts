import type { Knex } from "knex";

/**
 * Entries skipped because their journey was paused with "skip new entries" (issue #16: an
 * event during a pause used to enroll nobody, and nothing said so).
 *
 * A skip is a timeline row without an enrollment: an `enrollment_steps` row, enrollment_id
 * null, holding one `skipped` entry (reason `journey_paused`). The inspector lists it on the
 * contact, the journey's counts read it back; no counter column on `journeys`, whose row ingest
 * must not lock (pause and publish take it, then wake-ups: the other order could deadlock).
 * The partial index `enrollment_steps_skips_idx` (migrations/20261206071600_pause_entries.ts)
 * covers exactly these rows.
 */
export const SKIP_REASON = "journey_paused";

export interface Skip {
  contactId: number;
  journeyId: string;
  versionId: number;
  /** The trigger node the contact did not pass. */
  nodeId: string;
  /** What triggered: an event name, `api.enroll`, `audience.entered`, `date.<attribute>`. */
  event: string;
  detail: string;
}

/**
 * Logs each skip unless the contact was already skipped by this journey since the pause began
 * (`since`): one pause, one skip per contact, however many events they send meanwhile — without
 * the pause they would have entered once. Returns how many were logged.
 */
export async function recordSkips(
  trx: Knex.Transaction,
  skips: readonly Skip[],
  since: Date,
  now: Date,
): Promise<number> {
  if (skips.length === 0) return 0;
  const rows = skips.map((s) => ({
    contact_id: s.contactId,
    journey_id: s.journeyId,
    version_id: s.versionId,
    entries: [
      {
        node_id: s.nodeId,
        type: "skipped",
        reason: SKIP_REASON,
        detail: s.detail,
        data: { event: s.event },
      },
    ],
  }));
  const result = (await trx.raw(
    `insert into enrollment_steps (contact_id, enrollment_id, journey_id, version_id, at, entries)
     select distinct on (x.contact_id, x.journey_id) x.contact_id, null, x.journey_id, x.version_id, ?, x.entries
       from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, journey_id text, version_id bigint, entries jsonb)
      where not exists (
        select 1 from enrollment_steps s
         where s.journey_id = x.journey_id and s.contact_id = x.contact_id
           and s.enrollment_id is null and s.at >= ?
           and s.entries @> '[{"type": "skipped"}]'::jsonb)
      order by x.contact_id, x.journey_id`,
    [now, JSON.stringify(rows), since],
  )) as { rowCount: number | null };
  return result.rowCount ?? 0;
}

/** Skipped entries of one journey: in all, and since `since` (the current pause), if given. */
export async function countSkips(
  knex: Knex,
  journeyId: string,
  since: Date | null,
): Promise<{ total: number; sincePause: number }> {
  const { rows } = (await knex.raw(
    `select count(*) as total, count(*) filter (where s.at >= ?) as since_pause
       from enrollment_steps s
      where s.journey_id = ? and s.enrollment_id is null
        and s.entries @> '[{"type": "skipped"}]'::jsonb`,
    [since ?? "infinity", journeyId],
  )) as { rows: { total: string | number; since_pause: string | number }[] };
  return { total: Number(rows[0]?.total ?? 0), sincePause: Number(rows[0]?.since_pause ?? 0) };
}
