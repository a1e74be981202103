import { CATEGORIES, type Category, CHANNELS, type Channel } from "../../engine/shared/channels.ts";

/**
 * A profile change as ingest stores it: what identify (traits, consent), group and a merged
 * anonymous profile set on a contact. The phone is already encrypted, so the same shape is
 * written to `contacts`, kept in `anonymous_ids.profile` until a merge, and compared in SQL.
 * Null scalars and absent keys mean "leave as is": traits merge into what is stored, as in
 * Segment.
 */

export interface ConsentRecord {
  granted: boolean;
  /** What set it, e.g. `ingest:identify:<messageId>` or `api`. */
  source: string;
  /** When the person made the choice: the call's event time, ISO 8601 UTC. */
  at: string;
}
/** channel → category → record. Keys are our own enums, so plain objects are safe. */
export type ConsentChanges = Partial<Record<Channel, Partial<Record<Category, ConsentRecord>>>>;

export interface ProfileRow {
  email: string | null;
  phone_encrypted: string | null;
  phone_hash: string | null;
  phone_country: string | null;
  timezone: string | null;
  locale: string | null;
  /** Traits other than the reserved ones; a null-prototype object (keys are the sender's). */
  attributes: Record<string, unknown>;
  consent: ConsentChanges;
  /** Groups joined (group calls), added to `attributes.groupIds`. */
  group_ids: string[];
}

/** A contact belongs to at most this many groups; `attributes.groupIds` keeps the first ones. */
export const MAX_GROUPS = 200;

export function emptyProfile(): ProfileRow {
  return {
    email: null,
    phone_encrypted: null,
    phone_hash: null,
    phone_country: null,
    timezone: null,
    locale: null,
    attributes: Object.create(null) as Record<string, unknown>,
    consent: {},
    group_ids: [],
  };
}

export function isEmptyProfile(p: ProfileRow): boolean {
  return (
    p.email === null &&
    p.phone_encrypted === null &&
    p.timezone === null &&
    p.locale === null &&
    Object.keys(p.attributes).length === 0 &&
    Object.keys(p.consent).length === 0 &&
    p.group_ids.length === 0
  );
}

/** `b` applied after `a`: b's values win, attributes merge, groups add up, consent by time. */
export function mergeProfiles(a: ProfileRow, b: ProfileRow): ProfileRow {
  const phone = b.phone_encrypted !== null ? b : a;
  return {
    email: b.email ?? a.email,
    phone_encrypted: phone.phone_encrypted,
    phone_hash: phone.phone_hash,
    phone_country: phone.phone_country,
    timezone: b.timezone ?? a.timezone,
    locale: b.locale ?? a.locale,
    attributes: Object.assign(Object.create(null), a.attributes, b.attributes) as Record<
      string,
      unknown
    >,
    consent: mergeConsent(a.consent, b.consent),
    group_ids: unionGroups(a.group_ids, b.group_ids),
  };
}

/** Group ids in first-seen order, without repeats, at most MAX_GROUPS. */
export function unionGroups(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return [...a];
  const out = new Set(a);
  for (const g of b) if (out.size < MAX_GROUPS) out.add(g);
  return [...out];
}

/**
 * `b` applied after `a`. Restating a choice keeps the first record of it (when it was given);
 * a different choice applies only if it is not older than the one it replaces, so batches
 * retried out of order cannot resurrect a withdrawn consent. The same rule runs in SQL
 * against the stored row (consentMergeSql in upsert.ts).
 */
export function mergeConsent(a: ConsentChanges, b: ConsentChanges): ConsentChanges {
  const out: ConsentChanges = { ...a };
  for (const channel of CHANNELS) {
    const next = b[channel];
    if (!next) continue;
    const entry = { ...out[channel] };
    for (const category of CATEGORIES) {
      const rec = next[category];
      if (!rec) continue;
      const prev = entry[category];
      if (!prev || (prev.granted !== rec.granted && rec.at >= prev.at)) entry[category] = rec;
    }
    out[channel] = entry;
  }
  return out;
}

/** The attributes a new contact starts with: traits plus the group ones. */
export function attributesWithGroups(p: ProfileRow): Record<string, unknown> {
  if (p.group_ids.length === 0) return p.attributes;
  return Object.assign(Object.create(null), p.attributes, { groupIds: p.group_ids }) as Record<
    string,
    unknown
  >;
}
