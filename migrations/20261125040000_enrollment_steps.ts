import type { Knex } from "knex";

/*
 * One timeline row per enrollment per ticker batch instead of one per entry (issue 4).
 *
 * A typical step writes two or three entries (sent + waiting, branched + sent + waiting), and
 * each row costs a heap tuple and three index entries: the log was the ticker's largest single
 * statement (~20 µs of ~150 µs per user in bench/ticker, more on PGlite). The ticker now writes
 * `enrollment_steps` rows whose `entries` array holds the batch's entries for that enrollment,
 * in order.
 *
 * `enrollment_log` stays as a view with the old columns, one row per entry, so the inspector,
 * stats, results and tests read it unchanged; its `id` (step id × 10,000 + position) keeps the
 * timeline's order. Other writers (publishing with a migration map, archiving, the demo seed)
 * still insert single entries into the view; an INSTEAD OF trigger turns each into a one-entry
 * step. Filters on contact_id and journey_id reach the table's indexes through the view.
 */
const toSteps = [
  `create table enrollment_steps (
     id bigint generated always as identity primary key,
     contact_id bigint not null,
     enrollment_id bigint,
     journey_id text,
     version_id bigint,
     at timestamptz not null,
     entries jsonb not null
   )`,
  `insert into enrollment_steps (contact_id, enrollment_id, journey_id, version_id, at, entries)
   select contact_id, enrollment_id, journey_id, version_id, at,
          jsonb_build_array(jsonb_build_object('node_id', node_id, 'type', type, 'reason', reason,
                                               'detail', detail, 'data', data, 'at', at))
     from enrollment_log order by id`,
  "drop table enrollment_log",
  "create index enrollment_steps_contact_idx on enrollment_steps (contact_id, id)",
  "create index enrollment_steps_journey_idx on enrollment_steps (journey_id, at)",
  `create view enrollment_log as
   select s.id * 10000 + e.ord as id, s.contact_id, s.enrollment_id, s.journey_id, s.version_id,
          e.node_id, e.type, e.reason, e.detail, coalesce(e.data, '{}'::jsonb) as data,
          coalesce(e.at, s.at) as at
     from enrollment_steps s,
          rows from (jsonb_to_recordset(s.entries) as (node_id text, type text, reason text,
                     detail text, data jsonb, at timestamptz))
          with ordinality as e(node_id, type, reason, detail, data, at, ord)`,
  `create function enrollment_log_insert() returns trigger language plpgsql as $$
   begin
     insert into enrollment_steps (contact_id, enrollment_id, journey_id, version_id, at, entries)
     values (new.contact_id, new.enrollment_id, new.journey_id, new.version_id,
             coalesce(new.at, now()),
             jsonb_build_array(jsonb_build_object('node_id', new.node_id, 'type', new.type,
               'reason', new.reason, 'detail', new.detail,
               'data', coalesce(new.data, '{}'::jsonb), 'at', coalesce(new.at, now()))));
     return new;
   end $$`,
  `create trigger enrollment_log_insert instead of insert on enrollment_log
     for each row execute function enrollment_log_insert()`,
];

const toRows = [
  "drop view enrollment_log",
  "drop function enrollment_log_insert()",
  `create table enrollment_log (
     id bigint generated always as identity primary key,
     contact_id bigint not null,
     enrollment_id bigint,
     journey_id text,
     version_id bigint,
     node_id text,
     type text not null,
     reason text,
     detail text,
     data jsonb not null default '{}'::jsonb,
     at timestamptz not null
   )`,
  `insert into enrollment_log (contact_id, enrollment_id, journey_id, version_id, node_id, type, reason, detail, data, at)
   select s.contact_id, s.enrollment_id, s.journey_id, s.version_id, e.node_id, e.type, e.reason,
          e.detail, coalesce(e.data, '{}'::jsonb), coalesce(e.at, s.at)
     from enrollment_steps s,
          rows from (jsonb_to_recordset(s.entries) as (node_id text, type text, reason text,
                     detail text, data jsonb, at timestamptz))
          with ordinality as e(node_id, type, reason, detail, data, at, ord)
    order by s.id, e.ord`,
  "drop table enrollment_steps",
  "create index enrollment_log_contact_idx on enrollment_log (contact_id, at)",
  "create index enrollment_log_journey_idx on enrollment_log (journey_id, type, at)",
];

export async function up(knex: Knex): Promise<void> {
  for (const s of toSteps) await knex.raw(s);
}

export async function down(knex: Knex): Promise<void> {
  for (const s of toRows) await knex.raw(s);
}
