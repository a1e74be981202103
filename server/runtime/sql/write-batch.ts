import type { Knex } from "knex";
import { dict } from "../../../engine/shared/own.ts";
import { storeLinks } from "../../delivery/links.ts";
import type { BatchWrites } from "../step-batch.ts";
import { recordset, rowset } from "./rowset.ts";

type LogRow = BatchWrites["log"][number];
interface Step {
  contact_id: number;
  enrollment_id: number;
  journey_id: string;
  version_id: number;
  at: string;
  entries: Entry[];
}
/** A timeline entry as stored: `reason` and `at` only when they say something (see below). */
type Entry = Pick<LogRow, "node_id" | "type" | "detail" | "data"> & {
  reason?: string;
  at?: string;
};

type W = BatchWrites;
// By name, so the snapshot reaches its json column as written (rowset.ts `recordset` says why).
const ENROLLMENTS = recordset<W["enrollments"][number]>([
  ["id", "bigint"],
  ["snapshot", "json"],
  ["status", "text"],
  ["current_node", "text"],
  ["waits_for", "text[]"],
  ["event_cursor", "bigint"],
  ["ended_at", "timestamptz"],
  ["exit_reason", "text"],
]);
const WAKEUPS = rowset<W["wakeups"][number]>([
  ["enrollment_id", "bigint"],
  ["wake_at", "timestamptz"],
]);
const STEPS = rowset<Step>([
  ["contact_id", "bigint"],
  ["enrollment_id", "bigint"],
  ["journey_id", "text"],
  ["version_id", "bigint"],
  ["at", "timestamptz"],
  ["entries", "jsonb"],
]);
const MESSAGES = rowset<W["messages"][number]>([
  ["idempotency_key", "text"],
  ["contact_id", "bigint"],
  ["enrollment_id", "bigint"],
  ["journey_id", "text"],
  ["version_id", "bigint"],
  ["node_id", "text"],
  ["channel", "text"],
  ["category", "text"],
  ["body", "text"],
  ["encoding", "text"],
  ["parts", "int"],
  ["payload", "jsonb"],
  ["variant", "text"],
  ["phone_hash", "text"],
]);
const COOLDOWNS = rowset<W["cooldowns"][number]>([
  ["contact_id", "bigint"],
  ["scope", "text"],
  ["until", "timestamptz"],
  ["reason", "text"],
  ["applies", "text"],
  ["journey_id", "text"],
  ["node_id", "text"],
]);
const CONVERSIONS = rowset<W["conversions"][number]>([
  ["contact_id", "bigint"],
  ["idempotency_key", "text"],
  ["event", "text"],
  ["at", "timestamptz"],
]);

interface AttributePatch {
  contact_id: number;
  patch: Record<string, unknown>;
}
const ATTRIBUTES = rowset<AttributePatch>([
  ["contact_id", "bigint"],
  ["patch", "jsonb"],
]);

/**
 * Writes a stepped batch with one statement per table, whatever the batch size: each row set
 * goes in as one JSON parameter expanded in SQL (rowset.ts says why positionally); tracked
 * links go through the links module's one insert (delivery/links.ts `storeLinks`, the test
 * send's too), expiring `options.linkTtlMs` (WAYMARK_LINK_TTL_DAYS) from `now`. Row-by-row
 * writes cost a round trip each (~500 rows/s measured on one connection); set-based ones are
 * bounded by PostgreSQL's per-row work. The enrollment update touches no indexed column, so
 * PostgreSQL can keep it a HOT update; the changing, indexed wake_at lives in the narrow
 * enrollment_wakeups table.
 */
export async function writeBatch(
  trx: Knex.Transaction,
  w: BatchWrites,
  now: Date,
  options: { linkTtlMs: number },
): Promise<{ messages: number }> {
  if (w.enrollments.length > 0) {
    await trx.raw(
      `update enrollments e
          set snapshot = x.snapshot, status = x.status, current_node = x.current_node,
              waits_for = x.waits_for, event_cursor = x.event_cursor, ended_at = x.ended_at,
              exit_reason = x.exit_reason, revision = e.revision + 1, updated_at = ?
         from ${ENROLLMENTS.sql} as x
        where e.id = x.id`,
      [now, ENROLLMENTS.param(w.enrollments)],
    );
  }
  if (w.wakeups.length > 0) {
    await trx.raw(
      `update enrollment_wakeups ew set wake_at = x.wake_at
         from ${WAKEUPS.sql} as x
        where ew.enrollment_id = x.enrollment_id`,
      [WAKEUPS.param(w.wakeups)],
    );
  }
  if (w.finished.length > 0) {
    await trx.raw("delete from enrollment_wakeups where enrollment_id = any(?::bigint[])", [
      w.finished,
    ]);
  }
  if (w.log.length > 0) {
    // One enrollment_steps row per enrollment: its entries of this batch, in order (the
    // enrollment_log view expands them; migrations/20261125040000_enrollment_steps.ts says why).
    // An entry leaves out a null reason and an `at` equal to its step's: the view reads both
    // back as they were (coalesce(entry.at, step.at)), and the bytes are parsed and stored once
    // per entry, which is most of what this insert costs.
    const steps = new Map<number, Step>();
    for (const r of w.log) {
      const entry: Entry = { node_id: r.node_id, type: r.type, detail: r.detail, data: r.data };
      if (r.reason !== null) entry.reason = r.reason;
      const step = steps.get(r.enrollment_id);
      if (step) {
        if (r.at !== step.at) entry.at = r.at;
        step.entries.push(entry);
      } else {
        steps.set(r.enrollment_id, {
          contact_id: r.contact_id,
          enrollment_id: r.enrollment_id,
          journey_id: r.journey_id,
          version_id: r.version_id,
          at: r.at,
          entries: [entry],
        });
      }
    }
    await trx.raw(
      `insert into enrollment_steps (contact_id, enrollment_id, journey_id, version_id, at, entries)
       select x.contact_id, x.enrollment_id, x.journey_id, x.version_id, x.at, x.entries
         from ${STEPS.sql} as x`,
      [STEPS.param([...steps.values()])],
    );
  }
  let inserted = 0;
  if (w.messages.length > 0) {
    // The idempotency key is unique: a batch replayed after a failed commit, or a step the
    // engine repeats, can never queue the same send twice. The key the provider sees,
    // provider_key, is the column's default (gen_random_uuid()), drawn only for rows actually
    // inserted: unique across databases and restores, and no bytes in the row set for it
    // (migrations/20261206030000_delivery_reliability.ts).
    // Message ids are only needed to attach tracked links; without links, skip sending them back.
    const tracked = w.messages.some((m) => m.links.length > 0);
    const insert = (onConflict: string) =>
      trx.raw(
        `insert into messages (idempotency_key, contact_id, enrollment_id, journey_id, version_id, node_id,
                               channel, category, body, encoding, parts, payload, variant, phone_hash, next_attempt_at, created_at, updated_at)
         select x.idempotency_key, x.contact_id, x.enrollment_id, x.journey_id, x.version_id, x.node_id,
                x.channel, x.category, x.body, x.encoding, x.parts, x.payload, x.variant, x.phone_hash, ?, ?, ?
           from ${MESSAGES.sql} as x${onConflict}${tracked ? " returning id, idempotency_key" : ""}`,
        [now, now, now, MESSAGES.param(w.messages)],
      ) as Promise<{
        rows: { id: string | number; idempotency_key: string }[];
        rowCount: number | null;
      }>;
    // A plain insert first, in a savepoint: ON CONFLICT's speculative insertion cost ~2 µs more
    // per row (docs/SCALING.md), and a key already there is the rare case. If one is, the
    // savepoint undoes the insert and ON CONFLICT DO NOTHING queues the rest.
    await trx.raw("savepoint outbox");
    let result: Awaited<ReturnType<typeof insert>>;
    try {
      result = await insert("");
      await trx.raw("release savepoint outbox");
    } catch (err) {
      if ((err as { constraint?: string }).constraint !== "messages_idempotency_key_key") throw err;
      await trx.raw("rollback to savepoint outbox");
      result = await insert(" on conflict (idempotency_key) do nothing");
    }
    inserted = tracked ? result.rows.length : (result.rowCount ?? 0);
    if (tracked) {
      // Links of messages actually inserted: a replayed message's links were stored with it.
      const ids = new Map(result.rows.map((r) => [r.idempotency_key, Number(r.id)]));
      const links = w.messages.flatMap((m) => {
        const messageId = ids.get(m.idempotency_key);
        return messageId === undefined || m.links.length === 0
          ? []
          : [{ messageId, contactId: m.contact_id, links: m.links }];
      });
      await storeLinks(trx, links, now, options.linkTtlMs);
    }
  }
  if (w.cooldowns.length > 0) {
    await trx.raw(
      `insert into contact_cooldowns (contact_id, scope, until, reason, applies, journey_id, node_id, created_at)
       select x.contact_id, x.scope, x.until, x.reason, x.applies, x.journey_id, x.node_id, ?
         from ${COOLDOWNS.sql} as x`,
      [now, COOLDOWNS.param(w.cooldowns)],
    );
  }
  if (w.conversions.length > 0) {
    // Last-touch attribution: the credited message is found by its unique idempotency key (with
    // the contact, which stays the shard key once messages are distributed); a message already
    // credited keeps its first conversion. A message the provider had not taken by then (still
    // queued, or failed) caused nothing: no credit, and results credit the enrollment's last
    // send that had gone out, from the events (server/results/queries.ts).
    await trx.raw(
      `update messages m set converted_at = x.at, conversion_event = x.event
         from ${CONVERSIONS.sql} as x
        where m.contact_id = x.contact_id and m.idempotency_key = x.idempotency_key
          and m.converted_at is null and m.sent_at <= x.at`,
      [CONVERSIONS.param(w.conversions)],
    );
  }
  if (w.attributes.length > 0) {
    // Update nodes (engine/nodes/update.ts): one patch per contact, later steps winning, merged
    // into the stored attributes with `||` so keys other writers (identify) set meanwhile stay.
    // Values are whole (a counter's new value, not "+1"): a batch replayed after a failed
    // commit writes the same value again.
    const patches = new Map<number, Record<string, unknown>>();
    for (const a of w.attributes) {
      let patch = patches.get(a.contact_id);
      if (!patch) {
        patch = dict<unknown>();
        patches.set(a.contact_id, patch);
      }
      patch[a.attribute] = a.value;
    }
    const rows = [...patches].map(([contact_id, patch]) => ({ contact_id, patch }));
    await trx.raw(
      `update contacts c set attributes = c.attributes || x.patch, updated_at = ?
         from ${ATTRIBUTES.sql} as x
        where c.id = x.contact_id`,
      [now, ATTRIBUTES.param(rows)],
    );
  }
  return { messages: inserted };
}
