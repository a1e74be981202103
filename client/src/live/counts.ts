import type { JourneyStats } from "../api.ts";
import type { CountsPayload } from "./protocol.ts";

/**
 * Users on each node right now. Pure, so the socket's absolute-then-deltas protocol is tested
 * without a socket: an absolute message replaces everything, a delta adds to what is held.
 * Nodes at zero are left out: the canvas shows a badge only where someone is.
 */
export type Counts = ReadonlyMap<string, number>;

export function applyCounts(prev: Counts | null, msg: CountsPayload): Counts | null {
  if (msg.absolute === true) return positive(Object.entries(msg.counts));
  // Deltas before any absolute counts cannot be placed on a base: wait for the snapshot.
  if (prev === null) return null;
  const next = new Map(prev);
  let changed = false;
  for (const [node, d] of Object.entries(msg.deltas)) {
    if (d === 0) continue;
    changed = true;
    const n = (next.get(node) ?? 0) + d;
    if (n > 0) next.set(node, n);
    else next.delete(node);
  }
  return changed ? next : prev;
}

export function countsFromStats(stats: JourneyStats): Counts {
  return positive(Object.entries(stats.nodes).map(([node, s]) => [node, s.current]));
}

function positive(entries: [string, number][]): Map<string, number> {
  return new Map(entries.filter(([, n]) => n > 0));
}

/** Same contents: lets a poll that found nothing new keep the old map (no canvas re-render). */
export function sameCounts(a: Counts | null, b: Counts | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
