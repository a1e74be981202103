import type { Journey } from "../../../engine/index.ts";
import { edgeKey, type JourneyFlowEdge, type JourneyFlowNode } from "../editor/mapping.ts";

/**
 * The route one contact took through a journey, from its timeline: the nodes it touched, the
 * edges between consecutive nodes (a branch's recorded path picks the arm), and where it is
 * now. Used by the inspector's read-only canvas and the simulator to light the path up.
 */
export interface PathHighlight {
  nodes: ReadonlySet<string>;
  /** Flow edge ids (`edgeKey`), as the canvas draws them. */
  edges: ReadonlySet<string>;
  /** The node the contact is on; null when it left the journey or never entered. */
  current: string | null;
}

export interface PathStep {
  nodeId: string | null;
  type: string;
  path?: string | undefined;
}

export function pathFromTimeline(
  doc: Journey,
  steps: readonly PathStep[],
  current: string | null = null,
): PathHighlight {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  let prev: string | null = null;
  let prevPath: string | undefined;
  for (const step of steps) {
    const id = step.nodeId;
    if (!id) continue;
    if (prev !== null && id !== prev) {
      const from = prev;
      const out = doc.edges.filter((e) => e.from === from && e.to === id);
      const edge = out.find((e) => e.path === prevPath) ?? out[0];
      if (edge) edges.add(edgeKey(edge));
      prevPath = undefined;
    }
    nodes.add(id);
    if (step.type === "branched" && step.path !== undefined) prevPath = step.path;
    prev = id;
  }
  return { nodes, edges, current };
}

/** Class names that paint the path: visited, the current node, and the rest dimmed. */
export function highlightNodes(
  nodes: readonly JourneyFlowNode[],
  hl: PathHighlight | null,
): JourneyFlowNode[] {
  if (!hl) return nodes as JourneyFlowNode[];
  return nodes.map((n) => {
    const className =
      n.id === hl.current ? "wm-current" : hl.nodes.has(n.id) ? "wm-visited" : "wm-dim";
    return n.className === className ? n : { ...n, className };
  });
}

export function highlightEdges(
  edges: readonly JourneyFlowEdge[],
  hl: PathHighlight | null,
): JourneyFlowEdge[] {
  if (!hl) return edges as JourneyFlowEdge[];
  return edges.map((e) => {
    const base = e.className ?? "edge";
    const visited = e.data ? hl.edges.has(edgeKey(e.data.edge)) : false;
    return {
      ...e,
      className: `${base} ${visited ? "is-visited" : "is-dim"}`,
      animated: visited && e.data?.edge.to === hl.current,
    };
  });
}
