import type { Knex } from "knex";

/*
 * The timeline table keeps its identity column but loses the primary key's index (issue 18).
 *
 * Nothing reads a timeline row by its id alone: the inspector pages a contact's timeline by
 * (contact_id, id) (enrollment_steps_contact_idx), results read by journey
 * (enrollment_steps_journey_idx), and skips by their partial index. The primary key only cost
 * an index entry per ticker step, ~4 µs of PostgreSQL CPU and ~66 B of WAL per user
 * (bench/ticker/profile.ts). The identity still numbers rows in insertion order, which the
 * enrollment_log view's id and the inspector's order rely on. REPLICA IDENTITY FULL keeps
 * a delete (an erasure) possible under a logical-replication publication, which refuses
 * deletes on a table with neither a primary key nor a replica identity; it costs nothing
 * unless wal_level is logical.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table enrollment_steps drop constraint enrollment_steps_pkey");
  await knex.raw("alter table enrollment_steps replica identity full");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table enrollment_steps replica identity default");
  await knex.raw("alter table enrollment_steps add primary key (id)");
}
