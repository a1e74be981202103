import type { Knex } from "knex";

/*
 * The console language an operator chose in the header (issue #20). Null until they choose:
 * the console then follows the browser, so a new operator sees their own language at once and
 * only a deliberate switch is remembered. Text, not an enum type: the console's languages grow
 * with its catalogs, and the API's zod schema is what refuses an unknown one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table operators add column if not exists locale text");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table operators drop column if exists locale");
}
