import type { Knex } from "knex";

/*
 * Email messages (issue #19). `body` stays the text the provider gets (for email, the
 * text/plain part); what email adds — subject, preheader, HTML, from, reply-to, rendered for the
 * contact by the send step — goes in one nullable jsonb column rather than five text columns:
 * SMS rows, nearly all of the outbox, carry a null and no extra bytes, and the ticker writes it
 * in the same set-based insert. `opened_at` is the first human open of an email (its pixel,
 * machine opens filtered), beside `clicked_at`: either one makes a message "opened" for the
 * unopened-streak rule.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table messages add column if not exists payload jsonb");
  await knex.raw("alter table messages add column if not exists opened_at timestamptz");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table messages drop column if exists opened_at");
  await knex.raw("alter table messages drop column if exists payload");
}
