import type { Knex } from "knex";

/*
 * Fewer checks and indexes on the two tables every ticker step appends to (issue 4).
 *
 * A foreign key costs an RI lookup (an index probe plus a KEY SHARE row lock) for every inserted
 * row. bench/ticker's step appends two enrollment_log rows and one message per user, so the three
 * foreign keys below cost four lookups per user: ~15 µs of the ~100 µs of SQL per user measured
 * on 100,000 users (enrollment_log 30 → 23 µs, messages 24 → 14 µs per user). The ticker only
 * writes these rows for enrollments it has claimed and contacts it has loaded in the same
 * transaction, so the references hold by construction; nothing deletes contacts or enrollments
 * (journeys are archived, not deleted), and an erasure must delete these rows by contact_id
 * explicitly, as it must for every contact-keyed table once they are distributed (Citus only
 * keeps foreign keys that include the distribution column).
 *
 * enrollment_log_enrollment_idx served only the cascade: the timeline is read by contact
 * (enrollment_log_contact_idx) and results by journey (enrollment_log_journey_idx).
 * enrollment_wakeups_contact_idx served nothing: an event finds a contact's waiting
 * enrollments through enrollments_active_key and reaches the wake-up by its primary key
 * (server/events/record.ts), and every wake-up update is non-HOT (wake_at is indexed), so each
 * index on the table is one more insert per step.
 */
const dropStatements = [
  "alter table enrollment_log drop constraint if exists enrollment_log_enrollment_id_fkey",
  "drop index if exists enrollment_log_enrollment_idx",
  "drop index if exists enrollment_wakeups_contact_idx",
  "alter table messages drop constraint if exists messages_contact_id_fkey",
  "alter table messages drop constraint if exists messages_enrollment_id_fkey",
];

const restoreStatements = [
  `alter table messages add constraint messages_enrollment_id_fkey
     foreign key (enrollment_id) references enrollments (id) on delete set null`,
  `alter table messages add constraint messages_contact_id_fkey
     foreign key (contact_id) references contacts (id) on delete cascade`,
  "create index enrollment_log_enrollment_idx on enrollment_log (enrollment_id, id)",
  "create index enrollment_wakeups_contact_idx on enrollment_wakeups (contact_id)",
  `alter table enrollment_log add constraint enrollment_log_enrollment_id_fkey
     foreign key (enrollment_id) references enrollments (id) on delete cascade`,
];

export async function up(knex: Knex): Promise<void> {
  for (const s of dropStatements) await knex.raw(s);
}

export async function down(knex: Knex): Promise<void> {
  for (const s of restoreStatements) await knex.raw(s);
}
