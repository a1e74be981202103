import type { Knex } from "knex";

/*
 * Contact search matches the beginning of an external id (`external_id like 'cn-%'`,
 * server/contacts/sql/search.ts). The unique index on external_id uses the database's
 * collation, which answers `like` only under the plain C collation: under C.UTF-8 or
 * en_US.UTF-8 every search, even by phone or email, was a sequential scan of contacts,
 * because one unindexable branch of the OR makes the whole OR unindexable (7.6 ms for 10,000
 * contacts on PostgreSQL 15, so about 0.8 s at a million). text_pattern_ops compares by
 * character, which is what a prefix needs, so every branch of a phone, email or id search is
 * an index probe and PostgreSQL ORs the bitmaps.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "create index if not exists contacts_external_id_prefix_idx on contacts (external_id text_pattern_ops)",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists contacts_external_id_prefix_idx");
}
