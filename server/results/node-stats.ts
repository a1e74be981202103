import type { Knex } from "knex";

/**
 * Per-node counts for one journey (the editor's badges, `GET /api/journeys/:id/stats`): three
 * grouped statements — enrollments at each node now, timeline lines by node/type/reason, and
 * real (non-test) messages by node — folded into one record per node.
 *
 * Node ids and suppression reasons are names from outside (a journey document, a stored log
 * line), so the fold keys Maps by them and the answer is built with Object.fromEntries (own
 * properties, even for "__proto__"). A plain `{}` keyed by a node called `__proto__` once
 * handed the fold Object.prototype itself: every object in the process gained `current`, and
 * knex's next `where({...})` put it in the SQL (issue #14).
 */
export interface NodeStats {
  current: number;
  entered: number;
  exited: number;
  sent: number;
  delivered: number;
  clicked: number;
  converted: number;
  suppressed: Record<string, number>;
  deferred: Record<string, number>;
}

export type Totals = Omit<NodeStats, "suppressed" | "deferred">;

interface Fold extends Totals {
  suppressed: Map<string, number>;
  deferred: Map<string, number>;
}

type Num = string | number;

const fresh = (): Fold => ({
  current: 0,
  entered: 0,
  exited: 0,
  sent: 0,
  delivered: 0,
  clicked: 0,
  converted: 0,
  suppressed: new Map(),
  deferred: new Map(),
});

const bump = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);

export async function journeyNodeStats(
  knex: Knex,
  journeyId: string,
): Promise<{ total: Totals; nodes: Record<string, NodeStats> }> {
  const current = (await knex("enrollments")
    .where({ journey_id: journeyId, status: "active" })
    .select("current_node as node")
    .count("* as n")
    .groupBy("current_node")) as { node: string; n: Num }[];
  const log = (await knex("enrollment_log")
    .where({ journey_id: journeyId })
    .select("node_id as node", "type", "reason")
    .count("* as n")
    .groupBy("node_id", "type", "reason")) as {
    node: string;
    type: string;
    reason: string | null;
    n: Num;
  }[];
  const sends = (await knex("messages")
    .where({ journey_id: journeyId, is_test: false })
    .select("node_id as node")
    .count("* as sent")
    .select(
      knex.raw("count(*) filter (where status = 'delivered') as delivered"),
      knex.raw("count(clicked_at) as clicked"),
    )
    .groupBy("node_id")) as { node: string; sent: Num; delivered: Num; clicked: Num }[];

  const nodes = new Map<string, Fold>();
  const at = (node: string): Fold => {
    let s = nodes.get(node);
    if (!s) {
      s = fresh();
      nodes.set(node, s);
    }
    return s;
  };
  for (const r of current) at(r.node).current = Number(r.n);
  for (const r of log) {
    const s = at(r.node);
    const n = Number(r.n);
    if (r.type === "entered") s.entered += n;
    else if (r.type === "exited") s.exited += n;
    else if (r.type === "converted") s.converted += n;
    else if (r.type === "suppressed") bump(s.suppressed, r.reason ?? "unknown", n);
    else if (r.type === "deferred") bump(s.deferred, r.reason ?? "unknown", n);
  }
  for (const r of sends) {
    const s = at(r.node);
    s.sent = Number(r.sent);
    s.delivered = Number(r.delivered);
    s.clicked = Number(r.clicked);
  }

  const total: Totals = {
    current: 0,
    entered: 0,
    exited: 0,
    sent: 0,
    delivered: 0,
    clicked: 0,
    converted: 0,
  };
  const out: [string, NodeStats][] = [];
  for (const [node, s] of nodes) {
    for (const k of Object.keys(total) as (keyof Totals)[]) total[k] += s[k];
    out.push([
      node,
      {
        ...s,
        suppressed: Object.fromEntries(s.suppressed),
        deferred: Object.fromEntries(s.deferred),
      },
    ]);
  }
  return { total, nodes: Object.fromEntries(out) };
}
