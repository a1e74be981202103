import type { Knex } from "knex";
import type { ContactView, JourneyEvent } from "../../../engine/contact.ts";
import { openedAt } from "../../../engine/engagement.ts";
import { HISTORY_DAYS } from "../../../engine/rules/history.ts";
import type { ProviderRules } from "../../../engine/rules/provider.ts";
import type { Cooldown } from "../../../engine/rules/types.ts";
import type { Category, Channel } from "../../../engine/shared/channels.ts";
import { startOfLocalDay } from "../../../engine/time/time-of-day.ts";
import type { FieldCrypto } from "../../privacy/keys.ts";

export interface BatchEvent extends JourneyEvent {
  id: number;
  contactId: number;
}

export interface BatchContacts {
  views: Map<number, ContactView>;
  /** Each contact's events newer than the oldest cursor in the batch, in arrival order. */
  events: Map<number, BatchEvent[]>;
  /** Most active local hour per contact, only when the batch has a best-hour wait. */
  bestHours: Map<number, number>;
  /** The blind index of each contact's phone (messages.phone_hash of the SMS sent to it). */
  phoneHashes: Map<number, string>;
  /** Per phone hash, when SMS went to it: the list the views with that number share. */
  phoneSends: Map<string, number[]>;
}

/**
 * Everything the suppression rules need for a batch, in at most six statements whatever its
 * size. Contacts that may be sent to (`sending`: one of their claimed enrollments can still
 * reach a send node) are locked first (FOR NO KEY UPDATE, in id order so two batches cannot
 * deadlock): two journeys stepping the same contact at the same moment serialize here, so the
 * second sees the first one's send before deciding whether the cap still allows its own. This is
 * the per-contact lock the frequency cap relies on (tests/runtime/ticker-caps.test.ts). The
 * other contacts are read without a lock and without their send history: a row lock dirties the
 * contact's page (and writes WAL), and nothing but a send reads the history. `exclusive`
 * (PGlite: one transaction at a time) locks nothing: no other batch can be deciding meanwhile.
 */
export async function loadBatchContacts(
  trx: Knex.Transaction,
  crypto: FieldCrypto,
  contactIds: number[],
  minCursor: number,
  now: Date,
  needBestHour: boolean,
  sending: ReadonlySet<number>,
  /** Set when the SMS provider limits sends per number and day: load them from this instant. */
  phoneSendsSince: Date | null = null,
  exclusive = false,
): Promise<BatchContacts> {
  // The rules' own horizon (engine/rules/history.ts): older sends would be ignored anyway.
  const since = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const lockIds = contactIds.filter((id) => sending.has(id));
  const allLocked = !exclusive && lockIds.length === contactIds.length;
  if (!exclusive && lockIds.length > 0 && !allLocked) {
    await trx.raw(
      "select 1 from contacts where id = any(?::bigint[]) order by id for no key update",
      [lockIds],
    );
  }
  const contacts = (await trx.raw(
    `select id, external_id, email, phone_encrypted, phone_hash, timezone, locale, attributes, consent
       from contacts where id = any(?::bigint[]) order by id${allLocked ? " for no key update" : ""}`,
    [contactIds],
  )) as {
    rows: {
      id: string | number;
      external_id: string | null;
      email: string | null;
      phone_encrypted: string | null;
      phone_hash: string | null;
      timezone: string | null;
      locale: string | null;
      attributes: Record<string, unknown>;
      consent: Record<string, Record<string, { granted: boolean; source?: string; at?: string }>>;
    }[];
  };
  const views = new Map<number, ContactView>();
  const phoneHashes = new Map<number, string>();
  for (const c of contacts.rows) {
    if (c.phone_hash) phoneHashes.set(Number(c.id), c.phone_hash);
    const consent: ContactView["consent"] = {};
    for (const [channel, cats] of Object.entries(c.consent ?? {})) {
      const entry: Partial<Record<Category, { granted: boolean; source?: string; at?: number }>> =
        {};
      for (const [cat, rec] of Object.entries(cats ?? {})) {
        entry[cat as Category] = {
          granted: rec.granted,
          ...(rec.source ? { source: rec.source } : {}),
          ...(rec.at ? { at: Date.parse(rec.at) } : {}),
        };
      }
      consent[channel as Channel] = entry;
    }
    const view: ContactView = {
      id: String(c.id),
      attributes: c.attributes ?? {},
      consent,
      optOuts: [],
      recentSends: [],
      cooldowns: [],
      timezone: c.timezone,
      // The phone only matters for the zone when the profile has none; skip the decryption otherwise.
      phone: c.timezone || !c.phone_encrypted ? null : crypto.decrypt(c.phone_encrypted),
    };
    if (c.external_id) view.externalId = c.external_id;
    if (c.email) view.email = c.email;
    if (c.locale) view.locale = c.locale;
    views.set(Number(c.id), view);
  }

  // Sequential on purpose: one transaction is one connection, which runs one query at a time.
  const history = lockIds.length > 0;
  // The two reads of fast-growing tables probe the per-contact index once per contact
  // (LATERAL, kept a nested loop by OFFSET 0) instead of `contact_id = any(...)`: with
  // statistics from when the table was small (a fresh install's first campaign, before
  // autovacuum analyzes it), the planner costed the `any` form as a sequential scan, run again
  // for every batch: 40 ms per batch of 1,000 at 300,000 messages, against ~1 ms for the probes
  // (bench/ticker on 1M users spent 81 µs per user there). The ticker turns JIT off: these
  // plans' high row estimates would otherwise make PostgreSQL compile them (~35 ms each).
  const sends = history
    ? await trx.raw(
        `select m.contact_id, m.created_at, m.channel, m.category, m.clicked_at, m.opened_at, m.journey_id, m.node_id
           from unnest(?::bigint[]) as c(id)
           cross join lateral (
             select * from messages
              where contact_id = c.id and created_at > ? and status <> 'canceled' and not is_test
             offset 0
           ) m`,
        [lockIds, since],
      )
    : { rows: [] };
  const cooldowns = history
    ? await trx.raw(
        `select contact_id, scope, until, reason, applies, journey_id from contact_cooldowns
          where contact_id = any(?::bigint[]) and until > ?`,
        [lockIds, since],
      )
    : { rows: [] };
  const optOuts = history
    ? await trx.raw(
        `select contact_id, channel, category, created_at, source from suppressions
          where contact_id = any(?::bigint[]) and revoked_at is null`,
        [lockIds],
      )
    : { rows: [] };
  const events = await trx.raw(
    `select ev.id, ev.contact_id, ev.name, ev.properties, ev.occurred_at, ev.message_id
       from unnest(?::bigint[]) as c(id)
       cross join lateral (select * from events where contact_id = c.id and id > ? offset 0) ev
      order by ev.id`,
    [contactIds, minCursor],
  );
  for (const s of (sends as { rows: SendRow[] }).rows) {
    views.get(Number(s.contact_id))?.recentSends.push({
      at: new Date(s.created_at).getTime(),
      channel: s.channel,
      category: s.category,
      // A tracked link clicked or (email) a person's open of its pixel, by the engine's rule.
      opened: openedAt(s.channel, s.opened_at?.getTime(), s.clicked_at?.getTime()) !== undefined,
      journeyId: s.journey_id ?? "",
      nodeId: s.node_id ?? "",
    });
  }
  for (const c of (cooldowns as { rows: CooldownRow[] }).rows) {
    views.get(Number(c.contact_id))?.cooldowns.push(cooldownOf(c));
  }
  for (const o of (optOuts as { rows: OptOutRow[] }).rows) {
    views.get(Number(o.contact_id))?.optOuts.push({
      channel: o.channel,
      category: o.category,
      at: new Date(o.created_at).getTime(),
      source: o.source,
    });
  }
  const byContact = new Map<number, BatchEvent[]>();
  for (const e of (events as { rows: EventRow[] }).rows) {
    const contactId = Number(e.contact_id);
    let list = byContact.get(contactId);
    if (!list) {
      list = [];
      byContact.set(contactId, list);
    }
    list.push({
      id: Number(e.id),
      contactId,
      name: e.name,
      at: new Date(e.occurred_at).getTime(),
      properties: e.properties ?? {},
      messageId: e.message_id,
    });
  }
  const phoneSends =
    history && phoneSendsSince
      ? await loadPhoneSends(trx, views, phoneHashes, lockIds, phoneSendsSince)
      : new Map<string, number[]>();
  const bestHours = needBestHour
    ? await loadBestHours(trx, contactIds, since)
    : new Map<number, number>();
  return { views, events: byContact, bestHours, phoneHashes, phoneSends };
}

/**
 * Where `loadBatchContacts` starts reading a number's sends: the start of the provider's
 * current day, when its rules limit sends per number; null (nothing read) otherwise.
 */
export function phoneDayStart(rules: ProviderRules | null | undefined, now: Date): Date | null {
  if (!rules || rules.dailyLimit === null) return null;
  return new Date(startOfLocalDay(now.getTime(), rules.zone));
}

/**
 * The SMS sent to each sending contact's number since `since`, whichever contact they were for:
 * China's providers cap SMS per phone number and day (engine/rules/provider.ts), and two
 * contacts can share a number. Counted by the number each message went to (messages.phone_hash,
 * set when it was queued), not by the contacts who hold a number now, so a contact whose number
 * changed does not carry the old number's count to the new one. Contacts with one number share
 * one list, which the batch appends to as it queues SMS (server/runtime/step-batch.ts), so the
 * second of two such contacts in one batch sees the first one's send.
 */
async function loadPhoneSends(
  trx: Knex.Transaction,
  views: Map<number, ContactView>,
  phoneHashes: Map<number, string>,
  contactIds: number[],
  since: Date,
): Promise<Map<string, number[]>> {
  const hashes = [...new Set(contactIds.flatMap((id) => phoneHashes.get(id) ?? []))];
  if (hashes.length === 0) return new Map();
  const rows = (await trx.raw(
    `select phone_hash, created_at from messages
      where phone_hash = any(?::text[]) and channel = 'sms' and created_at >= ?
        and status <> 'canceled' and not is_test`,
    [hashes, since],
  )) as { rows: { phone_hash: string; created_at: Date }[] };
  const byHash = new Map<string, number[]>(hashes.map((h) => [h, []]));
  for (const r of rows.rows) byHash.get(r.phone_hash)?.push(new Date(r.created_at).getTime());
  for (const id of contactIds) {
    const list = byHash.get(phoneHashes.get(id) ?? "");
    const view = views.get(id);
    if (list && view) view.phoneSends = list;
  }
  return byHash;
}

/** The local hour each contact was most often active in, from the last 90 days of events. */
async function loadBestHours(
  trx: Knex.Transaction,
  contactIds: number[],
  since: Date,
): Promise<Map<number, number>> {
  const result = (await trx.raw(
    `select distinct on (ev.contact_id) ev.contact_id,
            extract(hour from ev.occurred_at at time zone coalesce(c.timezone, 'UTC'))::int as hour
       from events ev join contacts c on c.id = ev.contact_id
      where ev.contact_id = any(?::bigint[]) and ev.occurred_at > ? and ev.name not like 'message.%'
      group by ev.contact_id, 2
      order by ev.contact_id, count(*) desc, 2`,
    [contactIds, since],
  )) as { rows: { contact_id: string | number; hour: number }[] };
  return new Map(result.rows.map((r) => [Number(r.contact_id), Number(r.hour)]));
}

interface SendRow {
  contact_id: string | number;
  created_at: Date;
  channel: Channel;
  category: Category;
  clicked_at: Date | null;
  opened_at: Date | null;
  journey_id: string | null;
  node_id: string | null;
}
interface CooldownRow {
  contact_id: string | number;
  scope: Category | "all";
  until: Date;
  reason: string;
  applies: "other_journeys" | "all_journeys";
  journey_id: string | null;
}

/** The engine's record; `journeyId` only where a journey started it (support's have none). */
function cooldownOf(c: CooldownRow): Cooldown {
  const out: Cooldown = {
    scope: c.scope,
    until: new Date(c.until).getTime(),
    reason: c.reason,
    applies: c.applies,
  };
  if (c.journey_id !== null) out.journeyId = c.journey_id;
  return out;
}
interface OptOutRow {
  contact_id: string | number;
  channel: Channel | "*";
  category: Category | "*";
  created_at: Date;
  source: string;
}
interface EventRow {
  id: string | number;
  contact_id: string | number;
  name: string;
  properties: Record<string, unknown> | null;
  occurred_at: Date;
  message_id: string;
}
