import type { Knex } from "knex";

/*
 * The number an SMS went to, as its blind index (issue #19): China's providers cap the SMS one
 * phone NUMBER gets per day, and two contacts can share a number or a contact change theirs, so
 * the ticker counts today's sends by the number they went to (server/runtime/sql/
 * contact-state.ts loadPhoneSends), not by contact. Set by the ticker on SMS only; the partial
 * index serves that count (one number, one day) and costs nothing for other channels.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table messages add column if not exists phone_hash text");
  await knex.raw(
    `create index if not exists messages_phone_day_idx on messages (phone_hash, created_at)
      where phone_hash is not null`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists messages_phone_day_idx");
  await knex.raw("alter table messages drop column if exists phone_hash");
}
