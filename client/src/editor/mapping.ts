import type {
  Connection,
  EdgeChange,
  Edge as FlowEdge,
  Node as FlowNode,
  NodeChange,
} from "@xyflow/react";
import type { Edge, Issue, Journey, JourneyNode, NodeType } from "../../../engine/index.ts";
import type { XY } from "./defaults.ts";

/**
 * Journey document ⇄ React Flow. The document is the only state; nodes and edges for the
 * canvas are derived from it here, and canvas events come back as document changes
 * (changes.ts). Positions live in each node's `position`; a branch's out-edges carry
 * `path: "yes" | "no"`, a split's the arm name, and React Flow sees those as source handle ids.
 */

export type JourneyNodeData = {
  node: JourneyNode;
  issues: readonly Issue[];
  /** Users on this node now; null until live counts exist (see live/useLiveCounts). */
  liveCount: number | null;
};
export type JourneyFlowNode = FlowNode<JourneyNodeData, NodeType>;
export type JourneyEdgeData = { edge: Edge };
export type JourneyFlowEdge = FlowEdge<JourneyEdgeData>;

/** Handle id of every node's single input, and of the one unlabeled output. */
export const IN_HANDLE = "in";
export const OUT_HANDLE = "out";

export type Size = { width: number; height: number };

export type FlowView = {
  issues: ReadonlyMap<string, readonly Issue[]>;
  selected: ReadonlySet<string>;
  /** Sizes React Flow measured; kept so derived nodes do not flash back to unmeasured. */
  measured: ReadonlyMap<string, Size>;
  /** Where to draw nodes that have no `position` (imported documents): a computed layout. */
  fallback: ReadonlyMap<string, XY>;
  liveCounts: ReadonlyMap<string, number> | null;
};

const NO_ISSUES: readonly Issue[] = [];

export function issuesByNode(issues: readonly Issue[]): Map<string, Issue[]> {
  const out = new Map<string, Issue[]>();
  for (const i of issues) {
    if (i.nodeId === undefined) continue;
    const list = out.get(i.nodeId);
    if (list) list.push(i);
    else out.set(i.nodeId, [i]);
  }
  return out;
}

function sameIssues(a: readonly Issue[], b: readonly Issue[]): boolean {
  return (
    a.length === b.length && a.every((x, i) => x.code === b[i]?.code && x.message === b[i]?.message)
  );
}

/**
 * Canvas nodes for the document. `previous` lets unchanged nodes keep their object identity,
 * so React Flow (and our memoized node components) skip them: with 300 nodes, dragging one
 * must not re-render the other 299.
 */
export function toFlowNodes(
  doc: Journey,
  view: FlowView,
  previous: readonly JourneyFlowNode[] = [],
): JourneyFlowNode[] {
  const before = new Map(previous.map((n) => [n.id, n]));
  return doc.nodes.map((node, index) => {
    const position = node.position ?? view.fallback.get(node.id) ?? { x: index * 260, y: 0 };
    const issues = view.issues.get(node.id) ?? NO_ISSUES;
    const selected = view.selected.has(node.id);
    const measured = view.measured.get(node.id);
    const liveCount = view.liveCounts?.get(node.id) ?? null;
    const old = before.get(node.id);
    if (
      old &&
      old.data.node === node &&
      old.selected === selected &&
      old.position.x === position.x &&
      old.position.y === position.y &&
      old.measured?.width === measured?.width &&
      old.measured?.height === measured?.height &&
      old.data.liveCount === liveCount &&
      sameIssues(old.data.issues, issues)
    ) {
      return old;
    }
    const flow: JourneyFlowNode = {
      id: node.id,
      type: node.type,
      position,
      data: { node, issues, liveCount },
      selected,
    };
    if (measured) flow.measured = measured;
    return flow;
  });
}

export function edgeKey(e: Edge): string {
  return `${e.from}:${e.path ?? OUT_HANDLE}->${e.to}`;
}

export function toFlowEdges(doc: Journey, selected: ReadonlySet<string>): JourneyFlowEdge[] {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const seen = new Map<string, number>();
  const out: JourneyFlowEdge[] = [];
  for (const edge of doc.edges) {
    // Dangling edges cannot be drawn; validation lists them (`dangling_edge`).
    if (!ids.has(edge.from) || !ids.has(edge.to)) continue;
    const key = edgeKey(edge);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const id = n === 0 ? key : `${key}#${n}`;
    const flow: JourneyFlowEdge = {
      id,
      source: edge.from,
      target: edge.to,
      sourceHandle: edge.path ?? OUT_HANDLE,
      targetHandle: IN_HANDLE,
      data: { edge },
      selected: selected.has(id),
      className: edge.path === undefined ? "edge" : `edge edge-path edge-${edgeTone(edge.path)}`,
    };
    if (edge.path !== undefined) flow.label = edge.path;
    out.push(flow);
  }
  return out;
}

function edgeTone(path: string): "yes" | "no" | "arm" {
  return path === "yes" ? "yes" : path === "no" ? "no" : "arm";
}

/** A dragged connection as a journey edge; null for one the canvas should not have made. */
export function edgeFromConnection(c: Connection): Edge | null {
  if (!c.source || !c.target || c.source === c.target) return null;
  const handle = c.sourceHandle ?? OUT_HANDLE;
  return handle === OUT_HANDLE
    ? { from: c.source, to: c.target }
    : { from: c.source, to: c.target, path: handle };
}

/** Positions from React Flow's node changes (drag, and its final `dragging: false` event). */
export function movesFrom(changes: readonly NodeChange[]): {
  positions: Record<string, XY>;
  dragging: boolean;
} {
  const positions: Record<string, XY> = {};
  let dragging = false;
  for (const c of changes) {
    if (c.type !== "position" || !c.position) continue;
    positions[c.id] = c.position;
    dragging ||= c.dragging === true;
  }
  return { positions, dragging };
}

/** Applies React Flow's select changes to a selection set (nodes or edges). */
export function applySelection(
  current: ReadonlySet<string>,
  changes: readonly (NodeChange | EdgeChange)[],
): ReadonlySet<string> {
  let next: Set<string> | null = null;
  for (const c of changes) {
    if (c.type !== "select") continue;
    if (c.selected === current.has(c.id) && next === null) continue;
    next ??= new Set(current);
    if (c.selected) next.add(c.id);
    else next.delete(c.id);
  }
  return next ?? current;
}

/** Measured sizes from `dimensions` changes; the same map when nothing changed. */
export function applyDimensions(
  current: ReadonlyMap<string, Size>,
  changes: readonly NodeChange[],
): ReadonlyMap<string, Size> {
  let next: Map<string, Size> | null = null;
  for (const c of changes) {
    if (c.type !== "dimensions" || !c.dimensions) continue;
    const old = current.get(c.id);
    if (old && old.width === c.dimensions.width && old.height === c.dimensions.height) continue;
    next ??= new Map(current);
    next.set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
  }
  return next ?? current;
}
