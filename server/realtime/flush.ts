import type { BatchStats } from "../runtime/ticker.ts";
import type { Flush, TimelinePayload } from "./protocol.ts";

/** The part of a committed ticker batch the realtime layer reads. */
export type BatchChanges = Pick<BatchStats, "moves" | "log">;

/** Deltas and timeline entries accumulated since the last flush. Pure: no timers, no I/O. */
export interface Pending {
  deltas: Map<string, Map<string, number>>;
  timeline: TimelinePayload[];
}

export const emptyPending = (): Pending => ({ deltas: new Map(), timeline: [] });

/**
 * Adds one batch. Counts follow `GET`-free bootstrap semantics (snapshot.ts): an enrollment is
 * on a node once the ticker has run its entry step. Ingest parks new enrollments on the trigger
 * without telling anyone, so their first move (trigger → next) would subtract a user the client
 * never counted; each `entered` log row adds that one back at the trigger. Ended enrollments
 * (`$completed`, `$exited`) leave their node and are on none.
 */
export function addBatch(pending: Pending, batch: BatchChanges): void {
  const bump = (journeyId: string, nodeId: string, by: number) => {
    let nodes = pending.deltas.get(journeyId);
    if (!nodes) {
      nodes = new Map();
      pending.deltas.set(journeyId, nodes);
    }
    nodes.set(nodeId, (nodes.get(nodeId) ?? 0) + by);
  };
  for (const move of batch.moves) {
    bump(move.journeyId, move.from, -1);
    if (!move.to.startsWith("$")) bump(move.journeyId, move.to, +1);
  }
  for (const row of batch.log) {
    if (row.type === "entered") bump(row.journey_id, row.node_id, +1);
    pending.timeline.push({
      contactId: row.contact_id,
      enrollmentId: row.enrollment_id,
      journeyId: row.journey_id,
      // Same spread order as the inspector route, so `data` reads the same in both.
      entry: {
        at: row.at,
        nodeId: row.node_id,
        type: row.type,
        reason: row.reason,
        detail: row.detail,
        ...row.data,
      },
    });
  }
}

/** The flush to send, or null when nothing changed (deltas that cancel out are dropped). */
export function takeFlush(pending: Pending, at: Date): Flush | null {
  const deltas: Flush["deltas"] = Object.create(null); // keyed by journey ids (issue #14)
  for (const [journeyId, nodes] of pending.deltas) {
    const changed = [...nodes].filter(([, n]) => n !== 0);
    if (changed.length > 0) deltas[journeyId] = Object.fromEntries(changed);
  }
  const timeline = pending.timeline;
  pending.deltas = new Map();
  pending.timeline = [];
  if (Object.keys(deltas).length === 0 && timeline.length === 0) return null;
  return { at: at.toISOString(), deltas, timeline };
}
