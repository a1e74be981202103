import type { Knex } from "knex";

/*
 * Drafts always save (issue 16): a draft that does not parse as the journey format (a
 * half-filled condition, an empty event name) is kept as the operator typed it in
 * `draft_as_typed`, on the draft row, beside `definition` — which stays the last well-formed
 * draft, so every reader that needs a journey (diff, results, duplicate, previews) still gets
 * one. Null when the draft parses. Publishing and exporting the draft refuse while it is set
 * (server/journeys/store.ts); the editor opens it. Bounded in size and checked for hostile keys
 * before it is written (server/journeys/typed-draft.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table journey_versions add column draft_as_typed jsonb");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table journey_versions drop column if exists draft_as_typed");
}
