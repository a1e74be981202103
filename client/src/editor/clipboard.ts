import type { Edge, Journey, JourneyNode } from "../../../engine/index.ts";
import { nextNodeId, type XY } from "./defaults.ts";

/** What Ctrl/Cmd+C copies: the selected nodes and the edges among them. */
export type Clip = { nodes: readonly JourneyNode[]; edges: readonly Edge[] };

export function copyNodes(doc: Journey, ids: ReadonlySet<string>): Clip | null {
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  if (nodes.length === 0) return null;
  const edges = doc.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  return { nodes: structuredClone(nodes), edges: structuredClone(edges) };
}

/**
 * The clip as new nodes for `doc`: fresh ids, positions shifted by `offset`, internal edges
 * and engagement references re-pointed to the copies. A trigger is not pasted into a journey
 * that has one (a journey has exactly one trigger).
 */
export function pasteNodes(
  doc: Journey,
  clip: Clip,
  offset: XY,
): { nodes: JourneyNode[]; edges: Edge[] } {
  const hasTrigger = doc.nodes.some((n) => n.type === "trigger");
  const source = clip.nodes.filter((n) => !(hasTrigger && n.type === "trigger"));
  const taken = new Set(doc.nodes.map((n) => n.id));
  const ids = new Map<string, string>();
  for (const n of source) {
    const id = nextNodeId(n.type, taken);
    taken.add(id);
    ids.set(n.id, id);
  }
  const nodes = source.map((original, i): JourneyNode => {
    const n = structuredClone(original);
    n.id = ids.get(original.id) ?? n.id;
    const at = original.position ?? { x: i * 40, y: i * 40 };
    n.position = { x: at.x + offset.x, y: at.y + offset.y };
    // A copied "opened?" branch watches the copied send, not the original.
    if (n.type === "branch" && n.branch.kind === "engagement") {
      n.branch.node = ids.get(n.branch.node) ?? n.branch.node;
    }
    return n;
  });
  const edges = clip.edges.flatMap((e): Edge[] => {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    return from && to ? [{ ...e, from, to }] : [];
  });
  return { nodes, edges };
}
