import type { Knex } from "knex";

/*
 * Versions and the audit log (issue 17).
 *
 * journey_versions gains what the Versions panel shows per published version: the publisher's
 * note, the in-flight policy used (`pin` keeps users on their version, `migrate` moves them),
 * how many users moved and exited, and the publisher's name as it was (an API key has no
 * operator row; a renamed operator keeps the name they published under).
 *
 * audit_log is one generic table for every audited action: who (an operator, an API key, or
 * the system), what (`journey.publish`, `settings.update`, …), on what (subject type and id),
 * the details as jsonb, and when. New audited actions add rows, never columns. Entries are only
 * ever inserted; ids are monotonic, so `id desc` is newest first and the paging cursor.
 */
const statements = [
  `alter table journey_versions
     add column note text,
     add column in_flight text check (in_flight in ('pin', 'migrate')),
     add column migrated integer,
     add column exited integer,
     add column published_by_name text`,
  `create table audit_log (
     id bigint generated always as identity primary key,
     at timestamptz not null,
     actor_kind text not null check (actor_kind in ('operator', 'key', 'system')),
     actor_id bigint,
     actor_name text not null,
     actor_role text,
     action text not null,
     subject_type text not null,
     subject_id text,
     details jsonb not null default '{}'::jsonb
   )`,
  // A journey's history in the Versions panel: one subject, newest first.
  `create index audit_log_subject_idx on audit_log (subject_type, subject_id, id desc)`,
  // The admin's filter by action (e.g. every settings change).
  `create index audit_log_action_idx on audit_log (action, id desc)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table if exists audit_log");
  await knex.raw(
    `alter table journey_versions
       drop column if exists note,
       drop column if exists in_flight,
       drop column if exists migrated,
       drop column if exists exited,
       drop column if exists published_by_name`,
  );
}
