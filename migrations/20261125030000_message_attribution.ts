import type { Knex } from "knex";

/*
 * Goal attribution (issue 4): when an enrollment converts (its journey's goal event arrives in
 * the goal window), the ticker credits the enrollment's last send before it — last touch, the
 * model Braze and Customer.io report by default — in the same transaction as the step. Two
 * nullable columns on the outbox row, written by idempotency key, so crediting costs nothing
 * for messages that never convert and no index is needed (results aggregate by journey).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "alter table messages add column converted_at timestamptz, add column conversion_event text",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table messages drop column converted_at, drop column conversion_event");
}
