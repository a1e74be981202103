import type { Knex } from "knex";
import { attributesWithGroups, MAX_GROUPS, type ProfileRow } from "./profile.ts";

/**
 * Contact writes for ingest, in two steps with different locking, so that concurrent batches
 * and the ticker never wait on each other in a cycle (docs/SCALING.md, "Ingest and locks"):
 *
 *  1. resolveContacts: find the contacts a batch names and create the missing ones, in
 *     external_id order. An existing contact is only read, never locked: a track for a known
 *     user costs an index probe, not a row version and a lock the ticker would queue behind.
 *  2. updateContacts: profile changes to existing contacts, last in the ingest transaction,
 *     locking the rows first in id order — the order the ticker locks contacts in
 *     (server/runtime/sql/contact-state.ts) — then updating them.
 */

export interface WantedContact {
  externalId: string;
  /** Create the contact when missing (false: only look it up, e.g. an alias's previousId). */
  create: boolean;
  /** The new contact's profile (identify); absent for a contact created by a track. */
  profile?: ProfileRow;
}

export interface ResolvedContact {
  id: number;
  /** Created by this call, with `profile` already applied. */
  created: boolean;
}

/**
 * externalId → contact for every wanted id that exists or was created. One statement in the
 * common case; a second only for ids another transaction created while this one ran.
 */
export async function resolveContacts(
  trx: Knex.Transaction,
  wanted: readonly WantedContact[],
  now: Date,
): Promise<Map<string, ResolvedContact>> {
  const out = new Map<string, ResolvedContact>();
  if (wanted.length === 0) return out;
  const rows = [...wanted]
    .sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0))
    .map((w) => {
      const p = w.profile;
      return {
        external_id: w.externalId,
        create_it: w.create,
        email: p?.email ?? null,
        phone_encrypted: p?.phone_encrypted ?? null,
        phone_hash: p?.phone_hash ?? null,
        phone_country: p?.phone_country ?? null,
        timezone: p?.timezone ?? null,
        locale: p?.locale ?? null,
        attributes: p ? attributesWithGroups(p) : null,
        consent: p?.consent ?? null,
      };
    });
  // `found` reads the statement's snapshot; `ins` creates the rest in external_id order. A row
  // another transaction inserts meanwhile makes ours wait for it and then skip (DO NOTHING),
  // and is missing from both: the follow-up select below reads it once committed.
  const result = (await trx.raw(
    `with x as (
       select * from jsonb_to_recordset(?::jsonb) as x(
         external_id text, create_it boolean, email text, phone_encrypted text, phone_hash text,
         phone_country text, timezone text, locale text, attributes jsonb, consent jsonb)
     ),
     found as (select c.id, c.external_id from x join contacts c on c.external_id = x.external_id),
     ins as (
       insert into contacts (external_id, email, phone_encrypted, phone_hash, phone_country,
                             timezone, locale, attributes, consent, created_at, updated_at)
       select x.external_id, x.email, x.phone_encrypted, x.phone_hash, x.phone_country,
              x.timezone, x.locale, coalesce(x.attributes, '{}'::jsonb),
              coalesce(x.consent, '{}'::jsonb), ?, ?
         from x
        where x.create_it and not exists (select 1 from found f where f.external_id = x.external_id)
        order by x.external_id
       on conflict (external_id) do nothing
       returning id, external_id
     )
     select id, external_id, false as created from found
     union all
     select id, external_id, true as created from ins`,
    [JSON.stringify(rows), now, now],
  )) as { rows: { id: string | number; external_id: string; created: boolean }[] };
  for (const r of result.rows) out.set(r.external_id, { id: Number(r.id), created: r.created });
  const late = wanted.filter((w) => w.create && !out.has(w.externalId)).map((w) => w.externalId);
  if (late.length > 0) {
    const again = (await trx.raw(
      "select id, external_id from contacts where external_id = any(?::text[])",
      [late],
    )) as { rows: { id: string | number; external_id: string }[] };
    for (const r of again.rows) out.set(r.external_id, { id: Number(r.id), created: false });
  }
  return out;
}

export interface ContactChange {
  id: number;
  /** Applied over what is stored (its non-null values win). */
  change: ProfileRow;
  /** A merged anonymous profile: fills only what neither the contact nor `change` has. */
  fill?: ProfileRow;
}

/**
 * Consent merge in SQL, the rule of mergeConsent (server/contacts/profile.ts): per channel and
 * category, the incoming record replaces the stored one when there is none, or when it states
 * a different choice and is not older. `at` values are ISO 8601 UTC strings from
 * Date.toISOString, which compare as text in time order.
 */
function consentMergeSql(stored: string, incoming: string): string {
  return `${stored} || coalesce((
    select jsonb_object_agg(ch.key, coalesce(${stored} -> ch.key, '{}'::jsonb) || coalesce((
        select jsonb_object_agg(cat.key, cat.value)
          from jsonb_each(ch.value) as cat
         where ${stored} -> ch.key -> cat.key is null
            or ((${stored} -> ch.key -> cat.key ->> 'granted') is distinct from (cat.value ->> 'granted')
                and coalesce(${stored} -> ch.key -> cat.key ->> 'at', '') <= cat.value ->> 'at')
        ), '{}'::jsonb))
      from jsonb_each(${incoming}) as ch
     where jsonb_typeof(ch.value) = 'object'), '{}'::jsonb)`;
}

/**
 * Applies profile changes to existing contacts. The rows are locked first, in id order (the
 * UPDATE … FROM below would lock them in whatever order its join produces), then updated in
 * one statement.
 */
export async function updateContacts(
  trx: Knex.Transaction,
  changes: readonly ContactChange[],
  now: Date,
): Promise<void> {
  if (changes.length === 0) return;
  const ids = [...new Set(changes.map((c) => c.id))].sort((a, b) => a - b);
  await trx.raw(
    "select 1 from contacts where id = any(?::bigint[]) order by id for no key update",
    [ids],
  );
  const rows = changes.map(({ id, change: x, fill: f }) => ({
    id,
    email: x.email,
    phone_encrypted: x.phone_encrypted,
    phone_hash: x.phone_hash,
    phone_country: x.phone_country,
    timezone: x.timezone,
    locale: x.locale,
    attributes: x.attributes,
    consent: x.consent,
    group_ids: x.group_ids.length > 0 ? x.group_ids : null,
    fill_email: f?.email ?? null,
    fill_phone_encrypted: f?.phone_encrypted ?? null,
    fill_phone_hash: f?.phone_hash ?? null,
    fill_phone_country: f?.phone_country ?? null,
    fill_timezone: f?.timezone ?? null,
    fill_locale: f?.locale ?? null,
    fill_attributes: f?.attributes ?? {},
  }));
  // The phone's three columns move together: the change's number, else the stored one, else
  // the filled one. Group ids are added to attributes.groupIds (first MAX_GROUPS kept).
  const phone = (col: string) =>
    `case when x.phone_encrypted is not null then x.${col}
          when c.phone_encrypted is not null then c.${col}
          else x.fill_${col} end`;
  await trx.raw(
    `update contacts c set
       email = coalesce(x.email, c.email, x.fill_email),
       phone_encrypted = ${phone("phone_encrypted")},
       phone_hash = ${phone("phone_hash")},
       phone_country = ${phone("phone_country")},
       timezone = coalesce(x.timezone, c.timezone, x.fill_timezone),
       locale = coalesce(x.locale, c.locale, x.fill_locale),
       attributes = (x.fill_attributes || c.attributes || x.attributes) || case
         when x.group_ids is null then '{}'::jsonb
         else jsonb_build_object('groupIds', (
           select coalesce(jsonb_agg(g.id order by g.first), '[]'::jsonb)
             from (select u.id, min(u.ord) as first
                     from (select e.id, e.ord from jsonb_array_elements_text(
                             case when jsonb_typeof(c.attributes -> 'groupIds') = 'array'
                                  then c.attributes -> 'groupIds' else '[]'::jsonb end)
                             with ordinality as e(id, ord)
                           union all
                           select n.id, 1000000 + n.ord
                             from jsonb_array_elements_text(x.group_ids) with ordinality as n(id, ord)) u
                    group by u.id order by first limit ${MAX_GROUPS}) g))
       end,
       consent = ${consentMergeSql("c.consent", "x.consent")},
       updated_at = ?
     from jsonb_to_recordset(?::jsonb) as x(
       id bigint, email text, phone_encrypted text, phone_hash text, phone_country text,
       timezone text, locale text, attributes jsonb, consent jsonb, group_ids jsonb,
       fill_email text, fill_phone_encrypted text, fill_phone_hash text, fill_phone_country text,
       fill_timezone text, fill_locale text, fill_attributes jsonb)
     where c.id = x.id`,
    [now, JSON.stringify(rows)],
  );
}

/** Which of these external ids name existing contacts (read only, no lock). */
export async function existingExternalIds(
  trx: Knex.Transaction,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = (await trx.raw(
    "select external_id from contacts where external_id = any(?::text[])",
    [[...ids]],
  )) as { rows: { external_id: string }[] };
  return new Set(result.rows.map((r) => r.external_id));
}
