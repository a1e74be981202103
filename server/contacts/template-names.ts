import type { Knex } from "knex";
import type { TemplateNames } from "../../engine/nodes/template-names.ts";
import { dict } from "../../engine/shared/own.ts";
import { attributeNames, eventPropertyNames } from "./sql/template-names.ts";

/**
 * The names validation checks templates against (engine/nodes/template-names.ts), cached per
 * database handle for TTL_MS. The attribute scan costs 50-150 ms on the 10,000-contact demo
 * seed (PGlite and PostgreSQL alike, measured 2026-12-06) and every autosave validates, so
 * one read serves a whole editing session's saves; a new attribute shows within TTL_MS.
 */
const TTL_MS = 60_000;

type Entry<T> = { at: number; value: Promise<T> };
type Cache = { user: Entry<string[]> | null; events: Map<string, Entry<string[]>> };
const caches = new WeakMap<Knex, Cache>();

function cacheOf(knex: Knex): Cache {
  let c = caches.get(knex);
  if (!c) {
    c = { user: null, events: new Map() };
    caches.set(knex, c);
  }
  return c;
}

function cached<T>(entry: Entry<T> | null | undefined, now: number, load: () => Promise<T>) {
  if (entry && now - entry.at < TTL_MS) return entry;
  const value = load();
  const fresh = { at: now, value };
  // A failed read is not kept: the next caller tries again.
  value.catch(() => {
    fresh.at = Number.NEGATIVE_INFINITY;
  });
  return fresh;
}

/** Attribute names, and the property names of `event` when one of that name was recorded. */
export async function templateNames(
  knex: Knex,
  event: string | null,
  now = Date.now(),
): Promise<TemplateNames> {
  const c = cacheOf(knex);
  c.user = cached(c.user, now, () => attributeNames(knex));
  const names: TemplateNames = { user: await c.user.value };
  if (event !== null) {
    if (c.events.size > 500) c.events.clear();
    const e = cached(c.events.get(event), now, () => eventPropertyNames(knex, event));
    c.events.set(event, e);
    const props = await e.value;
    // No property seen may mean no such event yet: then `event.*` is not checked.
    if (props.length > 0) {
      const events = dict<readonly string[]>();
      events[event] = props;
      names.events = events;
    }
  }
  return names;
}
