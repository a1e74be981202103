import type { Knex } from "knex";

/*
 * Precomputed RFM scores (issue 7). The `rfm` audience condition and the RFM grid used to
 * aggregate every `purchased` event and rank the buyers with three ntile windows on each
 * request: 0.9–1.9 s on 100,000 contacts / 1,000,000 events (bench/audience), over the < 1 s
 * target. contact_rfm holds one row per buyer, rewritten by server/audiences/rfm-refresh.ts;
 * that module says when it runs and why storing the recency score does not go stale as time
 * passes.
 *
 * computed_at is the `now` of the refresh that last changed the row (refreshes leave unchanged
 * rows alone). contact_rfm_state is one row: the `now` of the last refresh (null: never) and
 * of the last full one, and the highest event id at the last two refreshes — so the scanner
 * can tell cheaply whether purchases arrived since, and an incremental refresh knows whose
 * aggregates to recompute. Its row lock also serializes refreshes run by several workers.
 */
const statements = [
  `create table contact_rfm (
     contact_id bigint primary key references contacts (id) on delete cascade,
     last_at timestamptz not null,
     orders int not null,
     monetary numeric not null,
     r smallint not null,
     f smallint not null,
     m smallint not null,
     computed_at timestamptz not null
   )`,
  // A grid cell (and most presets) pin r and f; m alone is rarer and filters the (r, f) rows.
  `create index contact_rfm_r_f_idx on contact_rfm (r, f)`,
  `create table contact_rfm_state (
     id boolean primary key default true check (id),
     as_of timestamptz,
     full_as_of timestamptz,
     through_event_id bigint not null default 0,
     prev_through_event_id bigint not null default 0,
     buyers int not null default 0,
     ms int not null default 0
   )`,
  `insert into contact_rfm_state (id) values (true)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table if exists contact_rfm_state");
  await knex.raw("drop table if exists contact_rfm");
}
