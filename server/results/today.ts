import type { Knex } from "knex";
import type { z } from "zod";
import type { JourneyTodaySchema, NodeTodaySchema } from "../api/results.ts";
import { dayBounds, liveNodeIds, sentToday, timelineToday } from "./sql/today.ts";

/**
 * Per node, what happened today: contacts that reached it, messages it sent, sends it
 * suppressed or deferred (each by reason). The canvas draws these beside "here now".
 *
 * Node ids and reasons are outside names, so the fold keys Maps and builds the answer with
 * Object.fromEntries (own properties even for "__proto__"; see node-stats.ts).
 */
export type NodeToday = z.infer<typeof NodeTodaySchema>;
export type JourneyToday = z.infer<typeof JourneyTodaySchema>;

interface Fold {
  entered: number;
  sent: number;
  suppressed: Map<string, number>;
  deferred: Map<string, number>;
}

const bump = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

export async function journeyToday(
  knex: Knex,
  journeyId: string,
  zone: string,
  now: Date,
): Promise<JourneyToday> {
  const { date, since, until } = await dayBounds(knex, zone, now);
  const [log, sent, liveNodes] = await Promise.all([
    timelineToday(knex, journeyId, since, until),
    sentToday(knex, journeyId, since, until),
    liveNodeIds(knex, journeyId),
  ]);
  const nodes = new Map<string, Fold>();
  const at = (node: string): Fold => {
    let f = nodes.get(node);
    if (!f) {
      f = { entered: 0, sent: 0, suppressed: new Map(), deferred: new Map() };
      nodes.set(node, f);
    }
    return f;
  };
  for (const r of log) {
    const f = at(r.node);
    f.entered += r.entered;
    if (r.type === "suppressed") bump(f.suppressed, r.reason ?? "unknown", r.n);
    else if (r.type === "deferred") bump(f.deferred, r.reason ?? "unknown", r.n);
  }
  for (const [node, n] of sent) at(node).sent = n;
  const out: [string, NodeToday][] = [...nodes].map(([node, f]) => [
    node,
    {
      entered: f.entered,
      sent: f.sent,
      suppressed: sum(f.suppressed),
      deferred: sum(f.deferred),
      suppressedBy: Object.fromEntries(f.suppressed),
      deferredBy: Object.fromEntries(f.deferred),
    },
  ]);
  return {
    journeyId,
    zone,
    date,
    since: since.toISOString(),
    until: until.toISOString(),
    liveNodes,
    nodes: Object.fromEntries(out),
  };
}
