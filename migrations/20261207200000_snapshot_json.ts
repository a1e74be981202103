import type { Knex } from "knex";

/*
 * Enrollment snapshots are stored as json, not jsonb (issue 18).
 *
 * No SQL looks inside a snapshot: the engine reads and writes it whole, once per step. jsonb
 * made PostgreSQL parse every snapshot into its binary form on each write (sorting each
 * object's keys, turning every number into a numeric) and print it back to text on each claim;
 * json only checks the text on the way in and hands it back as stored. Measured on 2,000
 * 380-byte snapshots (2-core AMD EPYC; docs/SCALING.md, "The snapshot stored as json"): writing
 * ~14.5 → ~10.7 µs per row, reading ~9–11 → ~4.6 µs per row, and the stored value 516 → 429
 * bytes, which the ticker's update also writes to the WAL. Node's drivers (pg and PGlite) parse json and jsonb
 * columns alike, so readers see the same objects.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table enrollments alter column snapshot type json using snapshot::json");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table enrollments alter column snapshot type jsonb using snapshot::jsonb");
}
