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

export async function recordEvents(
  trx: Knex | Knex.Transaction,
  events: NewEvent[],
  now: Date,
): Promise<Recorded> {
  if (events.length === 0) return { inserted: [], woken: 0 };
  const inserted = (await trx("events")
    .insert(
      events.map((e) => ({
        contact_id: e.contactId,
        message_id: e.messageId,
        name: e.name,
        properties: JSON.stringify(e.properties ?? {}),
        occurred_at: e.occurredAt,
        received_at: now,
      })),
    )
    .onConflict(["contact_id", "message_id"])
    .ignore()
    .returning(["id", "contact_id", "name", "properties", "occurred_at"])) as {
    id: string | number;
    contact_id: string | number;
    name: string;
    properties: Record<string, unknown>;
    occurred_at: Date;
  }[];
  if (inserted.length === 0) return { inserted: [], woken: 0 };
  const stored = inserted.map((r) => ({
    id: Number(r.id),
    contactId: Number(r.contact_id),
    name: r.name,
    properties: r.properties,
    occurredAt: new Date(r.occurred_at),
  }));
  const woken = await wakeWaiting(
    trx,
    stored.map((r) => r.contactId),
    stored.map((r) => r.name),
    now,
  );
  return { inserted: stored, woken };
}

/**
 * Moves the wake-up of every active enrollment of these contacts that waits on one of these
 * event names to `now`; the name `*` wakes all of the contact's active enrollments. Pairs are passed as parallel arrays and joined with unnest: one
 * statement whatever the batch size.
 */
export async function wakeWaiting(
  trx: Knex | Knex.Transaction,
  contactIds: number[],
  names: string[],
  now: Date,
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const result = (await trx.raw(
    `update enrollment_wakeups w
        set wake_at = ?
       from enrollments e,
            unnest(?::bigint[], ?::text[]) as ev(contact_id, name)
      where e.id = w.enrollment_id
        and e.status = 'active'
        and e.contact_id = ev.contact_id
        and (ev.name = '*' or ev.name = any(e.waits_for))
        and not w.held
        and w.wake_at > ?`,
    [now, contactIds, names, now],
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
  const canceled = await trx("messages")
    .where({ contact_id: optOut.contactId, channel: optOut.channel, status: "queued" })
    .whereNot("category", "transactional")
    .whereNot("category", "service")
    .update({ status: "canceled", last_error: `opted out (${optOut.reason})`, updated_at: now });
  await wakeWaiting(trx, [optOut.contactId], ["*"], now);
  return { canceled };
}
