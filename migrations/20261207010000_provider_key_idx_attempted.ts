import type { Knex } from "knex";

/*
 * messages_provider_key_idx holds attempted messages only (issue 18).
 *
 * The index serves one reader, Aliyun's receipts (server/delivery/sql/aliyun.ts), and a
 * receipt only ever names a message some attempt sent. Partial on `provider_key is not null`,
 * it took an entry for every row the ticker inserts: one index insert per step, ~4 µs of
 * PostgreSQL CPU and ~100 B of WAL per user (bench/ticker/profile.ts). On `attempts > 0` the
 * ticker's insert (attempts 0) skips it; the first claim adds the entry, at no extra update:
 * that claim changes `status` and `attempts`, so it is never a HOT update and writes every
 * index's entry anyway. A message never leaves attempts > 0, so a receipt for a message back
 * in `queued` for a retry is still found. The key itself is still drawn as the row is
 * inserted (20261206030000 says why: a restored copy of a queued row must keep its key).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists messages_provider_key_idx");
  await knex.raw(
    "create index messages_provider_key_idx on messages (provider_key) where attempts > 0",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists messages_provider_key_idx");
  await knex.raw(
    "create index messages_provider_key_idx on messages (provider_key) where provider_key is not null",
  );
}
