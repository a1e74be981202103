import type { Journey } from "../../../../engine/index.ts";
import type { JourneyDiff } from "../diff.ts";
import { edgeKey, type JourneyFlowEdge, type JourneyFlowNode } from "../mapping.ts";

/**
 * Painting a diff on the canvas. The compared-to document is drawn with the steps and
 * connections the diff removed added back in (at their old positions), and every node and
 * edge gets a class: added, changed, removed, or unchanged (dimmed). Pure, so it is tested
 * without a browser.
 */
export interface CanvasMarks {
  /** Node id → class name. */
  nodes: ReadonlyMap<string, string>;
  /** Flow edge id (`edgeKey`) → class name. */
  edges: ReadonlyMap<string, string>;
}

export function compareCanvas(
  from: Journey,
  to: Journey,
  diff: JourneyDiff,
): { doc: Journey; marks: CanvasMarks } {
  const removed = new Set(diff.nodes.filter((n) => n.change === "removed").map((n) => n.nodeId));
  const doc: Journey = {
    ...to,
    nodes: [...to.nodes, ...from.nodes.filter((n) => removed.has(n.id))],
    edges: [...to.edges, ...diff.edges.removed],
  };
  const nodes = new Map<string, string>();
  for (const n of doc.nodes) nodes.set(n.id, "wm-diff-same");
  for (const n of diff.nodes) nodes.set(n.nodeId, `wm-diff-${n.change}`);
  const edges = new Map<string, string>();
  for (const e of doc.edges) edges.set(edgeKey(e), "is-same");
  for (const e of diff.edges.added) edges.set(edgeKey(e), "is-added");
  for (const e of diff.edges.removed) edges.set(edgeKey(e), "is-removed");
  return { doc, marks: { nodes, edges } };
}

export function markNodes(
  nodes: readonly JourneyFlowNode[],
  marks: CanvasMarks | null,
): JourneyFlowNode[] {
  if (!marks) return nodes as JourneyFlowNode[];
  return nodes.map((n) => {
    const className = marks.nodes.get(n.id);
    return className === undefined || n.className === className ? n : { ...n, className };
  });
}

export function markEdges(
  edges: readonly JourneyFlowEdge[],
  marks: CanvasMarks | null,
): JourneyFlowEdge[] {
  if (!marks) return edges as JourneyFlowEdge[];
  return edges.map((e) => {
    const mark = e.data ? marks.edges.get(edgeKey(e.data.edge)) : undefined;
    return mark === undefined ? e : { ...e, className: `${e.className ?? "edge"} ${mark}` };
  });
}
