import type { Knex } from "knex";
import { normalizePhone } from "../../engine/time/index.ts";
import type { FieldCrypto } from "../privacy/keys.ts";

/** A profile change from identify (or an empty one: track for an unknown user creates it). */
export interface ContactUpdate {
  externalId: string;
  email?: string | null;
  /** Already normalized to E.164 by the caller's validation. */
  phone?: { e164: string; country: string | undefined } | null;
  timezone?: string | null;
  locale?: string | null;
  attributes?: Record<string, unknown>;
  /** channel → category → granted. */
  consent?: Record<string, Record<string, boolean>>;
  consentSource?: string;
}

export function normalizeContactPhone(raw: string, defaultCountry?: string) {
  return normalizePhone(raw, defaultCountry);
}

/**
 * Creates or updates contacts in one statement per call, whatever the batch size, and returns
 * externalId → contact id. Several updates for the same user in one batch are merged first
 * (later wins, attributes merged), because one INSERT … ON CONFLICT cannot touch a row twice.
 * Attributes and consent merge into what is stored; fields absent from the update are kept.
 */
export async function upsertContacts(
  trx: Knex | Knex.Transaction,
  crypto: FieldCrypto,
  updates: ContactUpdate[],
  now: Date,
): Promise<Map<string, number>> {
  const merged = new Map<string, ContactUpdate>();
  for (const u of updates) {
    const prev = merged.get(u.externalId);
    merged.set(u.externalId, prev ? mergeUpdates(prev, u) : u);
  }
  if (merged.size === 0) return new Map();
  const rows = [...merged.values()].map((u) => ({
    external_id: u.externalId,
    email: u.email ?? null,
    phone_encrypted: u.phone ? crypto.encrypt(u.phone.e164) : null,
    phone_hash: u.phone ? crypto.blindIndex(u.phone.e164) : null,
    phone_country: u.phone?.country ?? null,
    timezone: u.timezone ?? null,
    locale: u.locale ?? null,
    attributes: u.attributes ?? {},
    consent: consentJson(u, now),
  }));
  // Absent fields arrive as null and keep the stored value (traits merge, as in Segment);
  // consent merges two levels deep so granting sms.promotional keeps sms.transactional.
  const result = (await trx.raw(
    `insert into contacts as c (external_id, email, phone_encrypted, phone_hash, phone_country,
                                timezone, locale, attributes, consent, created_at, updated_at)
     select x.external_id, x.email, x.phone_encrypted, x.phone_hash, x.phone_country, x.timezone,
            x.locale, x.attributes, x.consent, ?, ?
       from jsonb_to_recordset(?::jsonb) as x(
              external_id text, email text, phone_encrypted text, phone_hash text,
              phone_country text, timezone text, locale text, attributes jsonb, consent jsonb)
     on conflict (external_id) do update set
       email = coalesce(excluded.email, c.email),
       phone_encrypted = coalesce(excluded.phone_encrypted, c.phone_encrypted),
       phone_hash = coalesce(excluded.phone_hash, c.phone_hash),
       phone_country = coalesce(excluded.phone_country, c.phone_country),
       timezone = coalesce(excluded.timezone, c.timezone),
       locale = coalesce(excluded.locale, c.locale),
       attributes = c.attributes || excluded.attributes,
       consent = c.consent || coalesce(
         (select jsonb_object_agg(t.channel, coalesce(c.consent -> t.channel, '{}'::jsonb) || t.cats)
            from jsonb_each(excluded.consent) as t(channel, cats)),
         '{}'::jsonb),
       updated_at = excluded.updated_at
     returning id, external_id`,
    [now, now, JSON.stringify(rows)],
  )) as { rows: { id: string | number; external_id: string }[] };
  return new Map(result.rows.map((r) => [r.external_id, Number(r.id)]));
}

function mergeUpdates(a: ContactUpdate, b: ContactUpdate): ContactUpdate {
  const out: ContactUpdate = { ...a, ...b };
  if (a.attributes || b.attributes) out.attributes = { ...a.attributes, ...b.attributes };
  if (a.consent || b.consent) {
    const consent: Record<string, Record<string, boolean>> = { ...a.consent };
    for (const [channel, cats] of Object.entries(b.consent ?? {}))
      consent[channel] = { ...consent[channel], ...cats };
    out.consent = consent;
  }
  return out;
}

function consentJson(u: ContactUpdate, now: Date) {
  const out: Record<string, Record<string, { granted: boolean; source: string; at: string }>> = {};
  for (const [channel, cats] of Object.entries(u.consent ?? {})) {
    const entry: Record<string, { granted: boolean; source: string; at: string }> = {};
    for (const [category, granted] of Object.entries(cats)) {
      entry[category] = { granted, source: u.consentSource ?? "api", at: now.toISOString() };
    }
    out[channel] = entry;
  }
  return out;
}
