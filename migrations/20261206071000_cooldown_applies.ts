import type { Knex } from "knex";

/*
 * Whom a cooldown holds back (issue 16): a cooldown node may now hold only *other* journeys'
 * sends (`other_journeys`, the editor's default for new nodes) or every journey's, its own
 * included (`all_journeys`). The row already names the journey that started it (journey_id);
 * `applies` says whether that journey is exempt. Existing rows, support's cooldowns and the
 * unopened streak's are `all_journeys`: what every cooldown meant before the choice existed,
 * so nothing already recorded changes meaning.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `alter table contact_cooldowns
       add column applies text not null default 'all_journeys'
         check (applies in ('other_journeys', 'all_journeys'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("alter table contact_cooldowns drop column if exists applies");
}
