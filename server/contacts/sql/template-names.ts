import type { Knex } from "knex";

/*
 * The names a template may read, as the workspace has seen them: the keys of contacts'
 * attributes (`user.*`) and of one event's properties (`event.*` for a journey entered by that
 * event). Validation warns on a `user.fristName` that no contact has (issue #16); the engine
 * stays pure and gets these names as data.
 *
 * Why these shapes: `jsonb_object_keys` over every contact is one sequential scan of the
 * attributes column, no index can answer "which keys exist" (a GIN index answers "who has key
 * K"). Measured on the 10,000-contact demo seed (10,300 contacts, 55,656 purchased events):
 * 80-150 ms on PGlite, 50-95 ms on PostgreSQL for the attributes; 35-90 ms for one event's
 * properties, on a loaded 2-core machine; hence the cache in ../template-names.ts. Capped at
 * SCAN_CONTACTS rows, newest first (a workspace's attributes come from the same identify
 * calls, so its recent contacts carry them), and the answer at MAX_NAMES keys; callers cache.
 * Event properties read the newest SCAN_EVENTS events of the name through
 * events_name_time_idx (name, occurred_at), so a large events table costs the same.
 */

export const SCAN_CONTACTS = 50_000;
export const SCAN_EVENTS = 2_000;
export const MAX_NAMES = 2_000;

type Keys = { rows: { key: string }[] };

export async function attributeNames(db: Knex): Promise<string[]> {
  const r = (await db.raw(
    `select distinct k.key
       from (select attributes from contacts order by id desc limit ?) c,
            jsonb_object_keys(case when jsonb_typeof(c.attributes) = 'object'
                                   then c.attributes else '{}'::jsonb end) as k(key)
      order by k.key
      limit ?`,
    [SCAN_CONTACTS, MAX_NAMES],
  )) as Keys;
  return r.rows.map((row) => row.key);
}

/** Property names of the newest events called `name`; empty when none was seen. */
export async function eventPropertyNames(db: Knex, name: string): Promise<string[]> {
  const r = (await db.raw(
    `select distinct k.key
       from (select properties from events where name = ?
              order by occurred_at desc limit ?) e,
            jsonb_object_keys(case when jsonb_typeof(e.properties) = 'object'
                                   then e.properties else '{}'::jsonb end) as k(key)
      order by k.key
      limit ?`,
    [name, SCAN_EVENTS, MAX_NAMES],
  )) as Keys;
  return r.rows.map((row) => row.key);
}
