import type { Knex } from "knex";
import { emptyProfile, type ProfileRow } from "../../contacts/profile.ts";
import type { StoredEvent } from "../../events/record.ts";

/**
 * Anonymous profiles (migration 20261206010000_anonymous_profiles): the statements ingest runs
 * on `anonymous_ids` and `anonymous_events`. lockAnonymous comes first in every transaction that
 * touches an anonymous id; everything else here runs on rows it has locked.
 */

export interface AnonymousRow {
  /** The contact it was merged into, or null while anonymous. */
  contactId: number | null;
  profile: ProfileRow;
}

/**
 * Creates the rows of ids not seen before and locks all of them, in anonymous_id order, and
 * returns each one's current state. The row lock is what serializes a merge with an anonymous
 * event for the same id (see the migration).
 */
export async function lockAnonymous(
  trx: Knex.Transaction,
  ids: readonly string[],
  now: Date,
): Promise<Map<string, AnonymousRow>> {
  const out = new Map<string, AnonymousRow>();
  if (ids.length === 0) return out;
  const result = (await trx.raw(
    `insert into anonymous_ids as a (anonymous_id, created_at, seen_at)
     select u.id, ?, ? from unnest(?::text[]) as u(id) order by u.id
     on conflict (anonymous_id) do update set seen_at = excluded.seen_at
     returning anonymous_id, contact_id, profile`,
    [now, now, [...new Set(ids)].sort()],
  )) as {
    rows: { anonymous_id: string; contact_id: string | number | null; profile: unknown }[];
  };
  for (const r of result.rows) {
    out.set(r.anonymous_id, {
      contactId: r.contact_id === null ? null : Number(r.contact_id),
      profile: parseProfile(r.profile),
    });
  }
  return out;
}

/** A stored profile (possibly `{}`) in full shape. */
function parseProfile(json: unknown): ProfileRow {
  const p = emptyProfile();
  if (json === null || typeof json !== "object") return p;
  const j = json as Partial<ProfileRow>;
  return {
    ...p,
    email: j.email ?? null,
    phone_encrypted: j.phone_encrypted ?? null,
    phone_hash: j.phone_hash ?? null,
    phone_country: j.phone_country ?? null,
    timezone: j.timezone ?? null,
    locale: j.locale ?? null,
    attributes: Object.assign(p.attributes, j.attributes),
    consent: j.consent ?? {},
    group_ids: Array.isArray(j.group_ids) ? j.group_ids : [],
  };
}

/** Points locked, unmerged anonymous ids at their contact and clears their pending profile. */
export async function markMerged(
  trx: Knex.Transaction,
  merges: readonly { anonymousId: string; contactId: number }[],
  now: Date,
): Promise<void> {
  if (merges.length === 0) return;
  await trx.raw(
    `update anonymous_ids a set contact_id = m.contact_id, merged_at = ?, profile = '{}'::jsonb
       from unnest(?::text[], ?::bigint[]) as m(anonymous_id, contact_id)
      where a.anonymous_id = m.anonymous_id and a.contact_id is null`,
    [now, merges.map((m) => m.anonymousId), merges.map((m) => m.contactId)],
  );
}

export interface AnonymousEvent {
  anonymousId: string;
  messageId: string;
  name: string;
  properties: Record<string, unknown>;
  occurredAt: Date;
}

/** Removes and returns the events stored under these (locked) anonymous ids, to move them. */
export async function takeAnonymousEvents(
  trx: Knex.Transaction,
  ids: readonly string[],
): Promise<AnonymousEvent[]> {
  if (ids.length === 0) return [];
  const result = (await trx.raw(
    `delete from anonymous_events where anonymous_id = any(?::text[])
     returning anonymous_id, message_id, name, properties, occurred_at`,
    [[...ids]],
  )) as {
    rows: {
      anonymous_id: string;
      message_id: string;
      name: string;
      properties: Record<string, unknown>;
      occurred_at: Date | string;
    }[];
  };
  return result.rows.map((r) => ({
    anonymousId: r.anonymous_id,
    messageId: r.message_id,
    name: r.name,
    properties: r.properties ?? {},
    occurredAt: new Date(r.occurred_at),
  }));
}

/**
 * Stores events of unmerged anonymous ids, ordered by anonymous id, event time and input order
 * (as insertEvents orders a contact's); returns the keys stored now (`anonymousId \0
 * messageId`), the others being duplicates.
 */
export async function insertAnonymousEvents(
  trx: Knex.Transaction,
  events: readonly AnonymousEvent[],
  now: Date,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const sorted = events
    .map((e, i) => ({ e, i, t: e.occurredAt.getTime() }))
    .sort(
      (a, b) =>
        (a.e.anonymousId < b.e.anonymousId ? -1 : a.e.anonymousId > b.e.anonymousId ? 1 : 0) ||
        a.t - b.t ||
        a.i - b.i,
    )
    .map((x) => x.e);
  const rows = sorted.map((e) => ({
    anonymous_id: e.anonymousId,
    message_id: e.messageId,
    name: e.name,
    properties: e.properties,
    occurred_at: e.occurredAt.toISOString(),
  }));
  const result = (await trx.raw(
    `insert into anonymous_events (anonymous_id, message_id, name, properties, occurred_at, received_at)
     select x.anonymous_id, x.message_id, x.name, x.properties, x.occurred_at, ?
       from rows from (jsonb_to_recordset(?::jsonb) as (anonymous_id text, message_id text,
                       name text, properties jsonb, occurred_at timestamptz))
            with ordinality as x(anonymous_id, message_id, name, properties, occurred_at, ord)
      order by x.ord
     on conflict (anonymous_id, message_id) do nothing
     returning anonymous_id, message_id`,
    [now, JSON.stringify(rows)],
  )) as { rows: { anonymous_id: string; message_id: string }[] };
  return new Set(result.rows.map((r) => `${r.anonymous_id}\u0000${r.message_id}`));
}

/** Replaces the pending profile of locked, unmerged anonymous ids. */
export async function saveAnonymousProfiles(
  trx: Knex.Transaction,
  profiles: ReadonlyMap<string, ProfileRow>,
): Promise<void> {
  if (profiles.size === 0) return;
  const rows = [...profiles].map(([anonymous_id, profile]) => ({ anonymous_id, profile }));
  await trx.raw(
    `update anonymous_ids a set profile = x.profile
       from jsonb_to_recordset(?::jsonb) as x(anonymous_id text, profile jsonb)
      where a.anonymous_id = x.anonymous_id and a.contact_id is null`,
    [JSON.stringify(rows)],
  );
}

/** Anonymous profiles never merged are kept this long after they were last seen. */
export const ANONYMOUS_RETENTION_DAYS = 30;

/**
 * Drops up to `limit` anonymous profiles (and, by cascade, their events) not seen for
 * ANONYMOUS_RETENTION_DAYS and never merged. Rows another transaction holds are skipped: they
 * were just seen.
 */
export async function purgeAnonymous(
  trx: Knex | Knex.Transaction,
  now: Date,
  limit: number,
): Promise<number> {
  const before = new Date(now.getTime() - ANONYMOUS_RETENTION_DAYS * 86_400_000);
  const result = (await trx.raw(
    `delete from anonymous_ids where anonymous_id in (
       select anonymous_id from anonymous_ids
        where contact_id is null and seen_at < ?
        order by seen_at limit ? for update skip locked)`,
    [before, limit],
  )) as { rowCount?: number; affectedRows?: number };
  return result.rowCount ?? result.affectedRows ?? 0;
}

/** Moved anonymous events, as events of `contactId`. */
export function asContactEvents(
  events: readonly AnonymousEvent[],
  contactOf: ReadonlyMap<string, number>,
): Omit<StoredEvent, "id">[] {
  const out: Omit<StoredEvent, "id">[] = [];
  for (const e of events) {
    const contactId = contactOf.get(e.anonymousId);
    if (contactId === undefined) continue;
    out.push({
      contactId,
      messageId: e.messageId,
      name: e.name,
      properties: e.properties,
      occurredAt: e.occurredAt,
    });
  }
  return out;
}
