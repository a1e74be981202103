import type { Knex } from "knex";

/*
 * The health check's probe: the cheapest statement that needs a live connection, so /healthz
 * says whether the database answers, not merely whether the pool has an idle socket.
 */
export async function databaseAnswers(knex: Knex): Promise<void> {
  await knex.raw("select 1");
}
