import type { Knex } from "knex";

/*
 * Pause is explicit about new entries (issue #16 item 7).
 *
 * `journeys.pause_entries` is what the operator chose when pausing: `wait` (a trigger during the
 * pause enrolls the contact, held at entry until resume) or `skip` (it does not enroll; the skip
 * is logged on the contact's timeline and counted). Null unless the journey is paused.
 * `paused_at` starts the current pause: a contact is logged as skipped at most once per pause.
 *
 * Journeys already paused when this runs get `skip`: it is what their pause did before (an
 * event during a pause never enrolled anyone), now with the skips counted from here on.
 *
 * Skips are timeline rows without an enrollment (enrollment_steps, enrollment_id null, one entry
 * of type `skipped`); the partial index makes "skips of this journey" and "has this contact
 * been skipped in this pause" index scans over those rows only.
 */
const statements = [
  `alter table journeys
     add column pause_entries text check (pause_entries in ('wait', 'skip')),
     add column paused_at timestamptz`,
  `update journeys set pause_entries = 'skip', paused_at = updated_at where status = 'paused'`,
  `create index enrollment_steps_skips_idx on enrollment_steps (journey_id, contact_id, at)
     where enrollment_id is null`,
  "create index enrollment_wakeups_held_idx on enrollment_wakeups (enrollment_id) where held",
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists enrollment_wakeups_held_idx");
  await knex.raw("drop index if exists enrollment_steps_skips_idx");
  await knex.raw(
    "alter table journeys drop column if exists pause_entries, drop column if exists paused_at",
  );
}
