import type { Knex } from "knex";

/**
 * Recording an event and waking the enrollments that wait on it happen together, in the
 * caller's transaction: the event row is the fact, the wake-up is what makes the next tick look
 * at it. The engine reads the event itself (through enrollments.event_cursor), so a wake-up that
 * races a running ticker batch can only make the enrollment be looked at sooner, never lose it.
 */

export interface NewEvent {
  contactId: number;
  /** Deduplication key; the same (contact, messageId) is stored once. */
  messageId: string;
  name: string;
  properties?: Record<string, unknown>;
  occurredAt: Date;
}

export interface StoredEvent {
  id: number;
  contactId: number;
  messageId: string;
  name: string;
  properties: Record<string, unknown>;
  occurredAt: Date;
}

export interface Recorded {
  /** Events actually stored (duplicates by messageId are skipped). */
  inserted: StoredEvent[];
  /** Enrollments whose wake-up moved to `now` because they wait on one of these events. */
  woken: number;
}

/**
 * Stores events and wakes the enrollments waiting on them (the delivery worker's message events
 * and inbound replies; ingest calls the two halves itself, between other statements).
 */
export async function recordEvents(
  trx: Knex | Knex.Transaction,
  events: NewEvent[],
  now: Date,
): Promise<Recorded> {
  const inserted = await insertEvents(trx, events, now);
  if (inserted.length === 0) return { inserted: [], woken: 0 };
  const woken = await wakeWaiting(
    trx,
    inserted.map((r) => r.contactId),
    inserted.map((r) => r.name),
    now,
  );
  return { inserted, woken };
}

/**
 * Inserts events, skipping those already stored under the same (contact, messageId), and returns
 * the ones stored now. Rows go in ordered by contact, then event time, then input order: a
 * contact's events get ids (the order the engine reads them in) in the order they happened,
 * and two transactions inserting overlapping keys — an SDK retrying a batch whose first attempt
 * is still running — wait on each other's keys in the same order, so they cannot deadlock (a
 * retry shifts a batch's times uniformly, if at all, and keeps its order). One statement
 * whatever the count: the rows travel as one JSON document, and only ids come back.
 */
export async function insertEvents(
  trx: Knex | Knex.Transaction,
  events: readonly NewEvent[],
  now: Date,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const sorted = events
    .map((e, i) => ({ e, i, t: e.occurredAt.getTime() }))
    .sort((a, b) => a.e.contactId - b.e.contactId || a.t - b.t || a.i - b.i)
    .map((x) => x.e);
  const rows = sorted.map((e) => ({
    contact_id: e.contactId,
    message_id: e.messageId,
    name: e.name,
    properties: e.properties ?? {},
    occurred_at: e.occurredAt.toISOString(),
  }));
  const result = (await trx.raw(
    `insert into events (contact_id, message_id, name, properties, occurred_at, received_at)
     select x.contact_id, x.message_id, x.name, x.properties, x.occurred_at, ?
       from rows from (jsonb_to_recordset(?::jsonb) as (contact_id bigint, message_id text,
                       name text, properties jsonb, occurred_at timestamptz))
            with ordinality as x(contact_id, message_id, name, properties, occurred_at, ord)
      order by x.ord
     on conflict (contact_id, message_id) do nothing
     returning id, contact_id, message_id`,
    [now, JSON.stringify(rows)],
  )) as { rows: { id: string | number; contact_id: string | number; message_id: string }[] };
  const ids = new Map<string, number>();
  for (const r of result.rows) ids.set(`${r.contact_id}\u0000${r.message_id}`, Number(r.id));
  const stored: StoredEvent[] = [];
  for (const e of sorted) {
    const key = `${e.contactId}\u0000${e.messageId}`;
    const id = ids.get(key);
    if (id === undefined) continue;
    // The same key twice in one call is stored once.
    ids.delete(key);
    stored.push({
      id,
      contactId: e.contactId,
      messageId: e.messageId,
      name: e.name,
      properties: e.properties ?? {},
      occurredAt: e.occurredAt,
    });
  }
  return stored;
}

/**
 * Moves the wake-up of every active enrollment of these contacts that waits on one of these
 * event names to `now`; the name `*` wakes all of the contact's active enrollments. Pairs are
 * passed as parallel arrays and joined with unnest: one statement whatever the batch size.
 *
 * The wake-up rows are locked first, in enrollment id order, then updated: an UPDATE … FROM
 * locks in its join's order, which differs between two batches touching the same enrollments.
 * A row the ticker has claimed is waited for, not skipped — the ticker did not see this event,
 * and would otherwise overwrite the wake-up with its own.
 */
export async function wakeWaiting(
  trx: Knex | Knex.Transaction,
  contactIds: number[],
  names: string[],
  now: Date,
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const pairs = new Map<string, [number, string]>();
  for (let i = 0; i < contactIds.length; i++) {
    const id = contactIds[i] ?? 0;
    const name = names[i] ?? "";
    pairs.set(`${id}\u0000${name}`, [id, name]);
  }
  const result = (await trx.raw(
    `with due as (
       select w.enrollment_id
         from unnest(?::bigint[], ?::text[]) as ev(contact_id, name)
         join enrollments e on e.contact_id = ev.contact_id and e.status = 'active'
                           and (ev.name = '*' or ev.name = any(e.waits_for))
         join enrollment_wakeups w on w.enrollment_id = e.id
        where not w.held and w.wake_at > ?
        order by w.enrollment_id
          for update of w
     )
     update enrollment_wakeups w set wake_at = ?
       from (select distinct enrollment_id from due) d
      where w.enrollment_id = d.enrollment_id`,
    [[...pairs.values()].map((p) => p[0]), [...pairs.values()].map((p) => p[1]), now, now],
  )) as { rowCount?: number; affectedRows?: number };
  return result.rowCount ?? result.affectedRows ?? 0;
}

export interface OptOut {
  contactId: number;
  channel: string;
  /** `*` for every marketing category, which is what keyword replies mean. */
  category: string;
  reason: "keyword" | "manual" | "unsubscribe_link" | "provider";
  /** Where it came from, for support: e.g. `sms:inbound:SM123` or `operator:4`. */
  source: string;
  detail?: string;
}

/**
 * Opts a contact out at once: the suppression row (history, never deleted), queued promotional
 * messages on that channel canceled before delivery picks them up, and the contact's enrollments
 * woken so the next tick records the suppression on their pending sends.
 */
export async function recordOptOut(
  trx: Knex | Knex.Transaction,
  optOut: OptOut,
  now: Date,
): Promise<{ canceled: number }> {
  await trx("suppressions").insert({
    contact_id: optOut.contactId,
    channel: optOut.channel,
    category: optOut.category,
    reason: optOut.reason,
    source: optOut.source,
    detail: optOut.detail ?? null,
    created_at: now,
  });
  const queued = trx("messages").where({
    contact_id: optOut.contactId,
    channel: optOut.channel,
    status: "queued",
  });
  // All categories (a keyword reply): the marketing ones; a named category (an operator's
  // opt-out in the inspector): that one only, whatever it is.
  if (optOut.category === "*")
    queued.whereNot("category", "transactional").whereNot("category", "service");
  else queued.where("category", optOut.category);
  const canceled = await queued.update({
    status: "canceled",
    last_error: `opted out (${optOut.reason})`,
    updated_at: now,
  });
  await wakeWaiting(trx, [optOut.contactId], ["*"], now);
  return { canceled };
}
