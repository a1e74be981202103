import type { Knex } from "knex";

/*
 * Two facts about a message its channel needs (issue #19):
 *
 * `phone_hash`: the number an SMS went to, as its blind index. China's providers cap the SMS one
 * phone NUMBER gets per day, and two contacts can share a number or a contact change theirs, so
 * the ticker counts today's sends by the number they went to (server/runtime/sql/
 * contact-state.ts loadPhoneSends), not by contact. Set by the ticker on SMS only; the partial
 * index serves that count (one number, one day) and costs nothing for other channels.
 *
 * `machine_opened_at`: the first time a machine (a mail provider's image proxy prefetching,
 * a scanner) fetched an email's open pixel. It is not an open and feeds nothing; support sees
 * it on the timeline so "opened" and "images fetched by Apple Mail" are not confused.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "alter table messages add column if not exists phone_hash text, add column if not exists machine_opened_at timestamptz",
  );
  await knex.raw(
    `create index if not exists messages_phone_day_idx on messages (phone_hash, created_at)
      where phone_hash is not null`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists messages_phone_day_idx");
  await knex.raw(
    "alter table messages drop column if exists machine_opened_at, drop column if exists phone_hash",
  );
}
