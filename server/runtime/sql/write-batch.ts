import type { Knex } from "knex";
import type { BatchWrites } from "../step-batch.ts";

const LINK_TTL_DAYS = 30;

type LogRow = BatchWrites["log"][number];
interface Step {
  contact_id: number;
  enrollment_id: number;
  journey_id: string;
  version_id: number;
  at: string;
  entries: Pick<LogRow, "node_id" | "type" | "reason" | "detail" | "data" | "at">[];
}

/**
 * Writes a stepped batch with one statement per table, whatever the batch size: each row set
 * goes in as one JSON parameter expanded by jsonb_to_recordset. Row-by-row writes cost a round
 * trip each (~500 rows/s measured on one connection); set-based ones are bounded by PostgreSQL's
 * per-row work. The enrollment update touches no indexed column, so PostgreSQL can keep it a
 * HOT update; the changing, indexed wake_at lives in the narrow enrollment_wakeups table.
 */
export async function writeBatch(
  trx: Knex.Transaction,
  w: BatchWrites,
  now: Date,
): Promise<{ messages: number }> {
  if (w.enrollments.length > 0) {
    await trx.raw(
      `update enrollments e
          set snapshot = x.snapshot, status = x.status, current_node = x.current_node,
              waits_for = x.waits_for, event_cursor = x.event_cursor, ended_at = x.ended_at,
              exit_reason = x.exit_reason, revision = e.revision + 1, updated_at = ?
         from jsonb_to_recordset(?::jsonb) as x(id bigint, snapshot jsonb, status text,
              current_node text, waits_for text[], event_cursor bigint, ended_at timestamptz,
              exit_reason text)
        where e.id = x.id`,
      [now, JSON.stringify(w.enrollments)],
    );
  }
  if (w.wakeups.length > 0) {
    await trx.raw(
      `update enrollment_wakeups ew set wake_at = x.wake_at
         from jsonb_to_recordset(?::jsonb) as x(enrollment_id bigint, wake_at timestamptz)
        where ew.enrollment_id = x.enrollment_id`,
      [JSON.stringify(w.wakeups)],
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
    const steps = new Map<number, Step>();
    for (const r of w.log) {
      const entry = {
        node_id: r.node_id,
        type: r.type,
        reason: r.reason,
        detail: r.detail,
        data: r.data,
        at: r.at,
      };
      const step = steps.get(r.enrollment_id);
      if (step) step.entries.push(entry);
      else {
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
         from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, enrollment_id bigint,
              journey_id text, version_id bigint, at timestamptz, entries jsonb)`,
      [JSON.stringify([...steps.values()])],
    );
  }
  let inserted = 0;
  if (w.messages.length > 0) {
    // ON CONFLICT on the idempotency key: a batch replayed after a failed commit, or a step the
    // engine repeats, can never queue the same send twice.
    const result = (await trx.raw(
      `insert into messages (idempotency_key, contact_id, enrollment_id, journey_id, version_id, node_id,
                             channel, category, body, encoding, parts, next_attempt_at, created_at, updated_at)
       select x.idempotency_key, x.contact_id, x.enrollment_id, x.journey_id, x.version_id, x.node_id,
              x.channel, x.category, x.body, x.encoding, x.parts, ?, ?, ?
         from jsonb_to_recordset(?::jsonb) as x(idempotency_key text, contact_id bigint, enrollment_id bigint,
              journey_id text, version_id bigint, node_id text, channel text, category text, body text,
              encoding text, parts int)
       on conflict (idempotency_key) do nothing
       returning id, idempotency_key`,
      [now, now, now, JSON.stringify(w.messages.map(({ links: _links, ...m }) => m))],
    )) as { rows: { id: string | number; idempotency_key: string }[] };
    inserted = result.rows.length;
    const ids = new Map(result.rows.map((r) => [r.idempotency_key, Number(r.id)]));
    const expires = new Date(now.getTime() + LINK_TTL_DAYS * 86_400_000).toISOString();
    const links = w.messages.flatMap((m) => {
      const id = ids.get(m.idempotency_key);
      return id === undefined
        ? []
        : m.links.map((l) => ({
            token: l.token,
            message_id: id,
            contact_id: m.contact_id,
            url: l.url,
            expires_at: expires,
          }));
    });
    if (links.length > 0) {
      await trx.raw(
        `insert into link_tokens (token, message_id, contact_id, url, expires_at)
         select x.token, x.message_id, x.contact_id, x.url, x.expires_at
           from jsonb_to_recordset(?::jsonb) as x(token text, message_id bigint, contact_id bigint, url text, expires_at timestamptz)`,
        [JSON.stringify(links)],
      );
    }
  }
  if (w.cooldowns.length > 0) {
    await trx.raw(
      `insert into contact_cooldowns (contact_id, scope, until, reason, journey_id, node_id, created_at)
       select x.contact_id, x.scope, x.until, x.reason, x.journey_id, x.node_id, ?
         from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, scope text, until timestamptz, reason text, journey_id text, node_id text)`,
      [now, JSON.stringify(w.cooldowns)],
    );
  }
  if (w.conversions.length > 0) {
    // Last-touch attribution: the credited message is found by its unique idempotency key (with
    // the contact, which stays the shard key once messages are distributed); a message already
    // credited keeps its first conversion.
    await trx.raw(
      `update messages m set converted_at = x.at, conversion_event = x.event
         from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, idempotency_key text, event text, at timestamptz)
        where m.contact_id = x.contact_id and m.idempotency_key = x.idempotency_key
          and m.converted_at is null`,
      [JSON.stringify(w.conversions)],
    );
  }
  return { messages: inserted };
}
