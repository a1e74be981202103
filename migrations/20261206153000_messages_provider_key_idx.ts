import type { Knex } from "knex";

/*
 * Aliyun's delivery receipts (SmsReport) name a message by the OutId we sent, which is
 * messages.provider_key (issue #19): a receipt can arrive before the worker recorded the
 * BizId, and a message settled by QuerySendDetails never learns its BizId at all. Without an
 * index every receipt would scan the outbox.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "create index if not exists messages_provider_key_idx on messages (provider_key) where provider_key is not null",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index if exists messages_provider_key_idx");
}
