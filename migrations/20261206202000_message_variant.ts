import type { Knex } from "knex";

/*
 * Which variant of a send a message carries (issue #20): the variant's locale, "default" for
 * the send's own content, null for a send without variants (and every message before them).
 * Results and the inspector group and label by it. Text: a BCP 47 tag the journey names.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table messages add column if not exists variant text");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table messages drop column if exists variant");
}
