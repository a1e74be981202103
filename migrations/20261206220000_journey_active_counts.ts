import type { Knex } from "knex";

/*
 * Active users per journey, kept by triggers instead of counted per request (issue #18).
 *
 * The journey list showed each journey's active users with `count(*)` over enrollments: ~30 ms
 * at 100,000 enrollments on PGlite and growing with them, for every console request — on
 * PGlite's one connection, at 20 list requests a second that alone kept the database busy and
 * the open-loop API p99 went past 2 s while the ticker ran (bench/ticker-pglite). Now the list
 * sums at most 16 rows per journey.
 *
 * Triggers, not application code, because every writer of enrollments must count: ingest's
 * trigger matches, the API, the date and audience scanners, the ticker ending users, version
 * migrations, a deleted contact's cascade. Inserts and deletes are statement-level over the
 * transition table (one upsert per journey per statement, whatever the rows); a status change
 * is row-level with a WHEN clause, so the ticker's updates that leave the status alone — nearly
 * all of them — queue no trigger at all.
 *
 * `shard` spreads one journey's count over 16 rows by backend: two transactions adding to the
 * same row would wait on each other's row lock until commit (a ticker batch holds it for its
 * whole transaction), so concurrent writers mostly add to different rows. The count is the sum
 * of a journey's rows; a row can go negative (users entered on one backend, ended on another).
 * No foreign key: a journey's rows sum to zero once its enrollments are gone, and a delete
 * cascading from the journey would otherwise fail its own count update.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table if not exists journey_active_counts (
      journey_id text not null,
      shard smallint not null,
      n bigint not null,
      primary key (journey_id, shard)
    )`);
  await knex.raw(`
    create or replace function journey_active_counts_add() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into journey_active_counts as c (journey_id, shard, n)
        select journey_id, pg_backend_pid() % 16, count(*) from journey_counted_rows
         where status = 'active' group by journey_id
        on conflict (journey_id, shard) do update set n = c.n + excluded.n;
      elsif tg_op = 'DELETE' then
        insert into journey_active_counts as c (journey_id, shard, n)
        select journey_id, pg_backend_pid() % 16, -count(*) from journey_counted_rows
         where status = 'active' group by journey_id
        on conflict (journey_id, shard) do update set n = c.n + excluded.n;
      elsif tg_op = 'TRUNCATE' then
        delete from journey_active_counts;
      end if;
      return null;
    end $$`);
  await knex.raw(`
    create or replace function journey_active_counts_change() returns trigger language plpgsql as $$
    begin
      insert into journey_active_counts as c (journey_id, shard, n)
      values (new.journey_id, pg_backend_pid() % 16,
              (new.status = 'active')::int - (old.status = 'active')::int)
      on conflict (journey_id, shard) do update set n = c.n + excluded.n;
      return null;
    end $$`);
  await knex.raw(`
    create trigger enrollments_count_insert after insert on enrollments
      referencing new table as journey_counted_rows
      for each statement execute function journey_active_counts_add()`);
  await knex.raw(`
    create trigger enrollments_count_delete after delete on enrollments
      referencing old table as journey_counted_rows
      for each statement execute function journey_active_counts_add()`);
  await knex.raw(`
    create trigger enrollments_count_truncate after truncate on enrollments
      for each statement execute function journey_active_counts_add()`);
  await knex.raw(`
    create trigger enrollments_count_status after update of status on enrollments
      for each row when (old.status is distinct from new.status)
      execute function journey_active_counts_change()`);
  await knex.raw(`
    insert into journey_active_counts (journey_id, shard, n)
    select journey_id, 0, count(*) from enrollments where status = 'active' group by journey_id
    on conflict (journey_id, shard) do update set n = excluded.n`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop trigger if exists enrollments_count_status on enrollments");
  await knex.raw("drop trigger if exists enrollments_count_truncate on enrollments");
  await knex.raw("drop trigger if exists enrollments_count_delete on enrollments");
  await knex.raw("drop trigger if exists enrollments_count_insert on enrollments");
  await knex.raw("drop function if exists journey_active_counts_change()");
  await knex.raw("drop function if exists journey_active_counts_add()");
  await knex.raw("drop table if exists journey_active_counts");
}
