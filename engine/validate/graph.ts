import type { Journey, JourneyNode } from "../format/journey.ts";
import { definitionOf } from "../nodes/registry.ts";
import { type Issue, issue } from "./issue.ts";

/**
 * Graph-wide checks on a journey that passed the schema. Node-local checks live with each
 * node type (engine/nodes/<type>.ts); these need the whole graph.
 */
export type Graph = {
  nodes: Map<string, JourneyNode>;
  /** Node id → JSON path index in `nodes`. */
  index: Map<string, number>;
  /** Out-neighbours over edges whose both ends exist. */
  out: Map<string, string[]>;
};

export function buildGraph(journey: Journey): Graph {
  const nodes = new Map<string, JourneyNode>();
  const index = new Map<string, number>();
  journey.nodes.forEach((n, i) => {
    if (!nodes.has(n.id)) {
      nodes.set(n.id, n);
      index.set(n.id, i);
    }
  });
  const out = new Map<string, string[]>();
  for (const id of nodes.keys()) out.set(id, []);
  for (const e of journey.edges) {
    if (nodes.has(e.from) && nodes.has(e.to)) out.get(e.from)?.push(e.to);
  }
  return { nodes, index, out };
}

/** Every node reachable from `start` (inclusive). */
export function reachableFrom(g: Graph, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const next of g.out.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

function nodePath(g: Graph, id: string): (string | number)[] {
  return ["nodes", g.index.get(id) ?? 0];
}

export function checkEdges(journey: Journey, g: Graph): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  journey.edges.forEach((e, i) => {
    const path = ["edges", i];
    const from = g.nodes.get(e.from);
    const to = g.nodes.get(e.to);
    if (!from || !to) {
      const missing = !from ? e.from : e.to;
      issues.push(
        issue(
          "dangling_edge",
          `edge ${e.from} → ${e.to} points at missing node "${missing}"`,
          [...path, !from ? "from" : "to"],
          from ? e.from : undefined,
          { from: e.from, to: e.to, missing },
        ),
      );
      return;
    }
    if (definitionOf(to).entry) {
      issues.push(
        issue(
          "edge_into_trigger",
          `edge ${e.from} → ${e.to} enters the trigger`,
          [...path, "to"],
          e.to,
          { from: e.from, to: e.to },
        ),
      );
    }
    const out = definitionOf(from).outPaths(from);
    if (out.kind === "none") {
      issues.push(
        issue("edge_from_exit", `edge ${e.from} → ${e.to} leaves an exit node`, path, e.from, {
          from: e.from,
          to: e.to,
        }),
      );
      return;
    }
    const ok =
      out.kind === "one"
        ? e.path === undefined
        : e.path !== undefined && out.names.includes(e.path);
    if (!ok) {
      const expected = out.kind === "one" ? "no path" : out.names.map((n) => `"${n}"`).join(" or ");
      const got = e.path === undefined ? "no path" : `"${e.path}"`;
      issues.push(
        issue(
          "unexpected_path",
          `edge ${e.from} → ${e.to} has ${got}; a ${from.type} node takes ${expected}`,
          [...path, "path"],
          e.from,
          { from: e.from, to: e.to },
        ),
      );
      return;
    }
    const key = `${e.from}\u0000${e.path ?? ""}`;
    if (seen.has(key)) {
      const which = e.path === undefined ? "" : ` "${e.path}"`;
      issues.push(
        issue("duplicate_path", `${e.from} has more than one${which} out-edge`, path, e.from, {
          node: e.from,
        }),
      );
    }
    seen.add(key);
  });
  // Named paths without an edge, and single-edge nodes without one (dead ends).
  for (const [id, node] of g.nodes) {
    const out = definitionOf(node).outPaths(node);
    const paths = new Set(
      journey.edges.filter((e) => e.from === id && g.nodes.has(e.to)).map((e) => e.path ?? ""),
    );
    if (out.kind === "named") {
      for (const name of out.names) {
        if (paths.has(name)) continue;
        issues.push(
          out.missing === "branch_missing_path"
            ? issue(out.missing, `${id}: branch has no "${name}" edge`, nodePath(g, id), id, {
                path: name,
              })
            : issue(out.missing, `${id}: split arm "${name}" has no edge`, nodePath(g, id), id, {
                arm: name,
              }),
        );
      }
    } else if (out.kind === "one" && !paths.has("")) {
      issues.push(
        issue("dead_end", `${id} has no out-edge; enrollments end there`, nodePath(g, id), id, {
          node: id,
        }),
      );
    }
  }
  return issues;
}

export function checkReachability(g: Graph, triggerId: string): Issue[] {
  const reach = reachableFrom(g, triggerId);
  const issues: Issue[] = [];
  for (const id of g.nodes.keys()) {
    if (!reach.has(id))
      issues.push(
        issue("unreachable_node", `${id} cannot be reached from the trigger`, nodePath(g, id), id, {
          node: id,
        }),
      );
  }
  // never_exits: a reachable node from which no terminal (exit, or a missing out-edge, which
  // ends the enrollment) can be reached.
  const terminals = new Set<string>();
  for (const [id, node] of g.nodes) {
    const out = definitionOf(node).outPaths(node);
    const count = g.out.get(id)?.length ?? 0;
    const expected = out.kind === "none" ? 0 : out.kind === "one" ? 1 : out.names.length;
    if (out.kind === "none" || count < expected) terminals.add(id);
  }
  const finishing = new Set<string>(terminals);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, next] of g.out) {
      if (!finishing.has(id) && next.some((n) => finishing.has(n))) {
        finishing.add(id);
        grew = true;
      }
    }
  }
  for (const id of reach) {
    if (!finishing.has(id))
      issues.push(
        issue("never_exits", `no exit can be reached from ${id}`, nodePath(g, id), id, {
          node: id,
        }),
      );
  }
  return issues;
}

/**
 * Cycles through nodes that never hold (send, condition branch, split, cooldown, trigger)
 * would run forever inside one `advance` call. Tarjan's SCCs over the non-holding subgraph;
 * one issue per offending cycle.
 */
export function checkSpinCycles(g: Graph): Issue[] {
  const spins = (id: string) => {
    const n = g.nodes.get(id);
    return n !== undefined && !definitionOf(n).holds(n);
  };
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const issues: Issue[] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.out.get(v) ?? []) {
      if (!spins(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    const selfLoop = scc.length === 1 && (g.out.get(v) ?? []).includes(v);
    if (scc.length > 1 || selfLoop) {
      const ids = scc.reverse();
      const first = ids[0] as string;
      issues.push(
        issue(
          "cycle_without_wait",
          `cycle ${ids.join(" → ")} has no wait or event branch`,
          nodePath(g, first),
          first,
          { cycle: ids.join(" → ") },
        ),
      );
    }
  };
  for (const id of g.nodes.keys()) if (spins(id) && !index.has(id)) visit(id);
  return issues;
}
