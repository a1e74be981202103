import type { ELK as ElkApi, ElkNode } from "elkjs/lib/elk-api.js";
import type { Journey } from "../../../engine/index.ts";
import { outPaths } from "./changes.ts";
import type { XY } from "./defaults.ts";
import { OUT_HANDLE, type Size } from "./mapping.ts";

/** Card size before React Flow has measured a node (matches .wm-node in editor.css). */
export const DEFAULT_SIZE: Size = { width: 232, height: 76 };

/** elkjs is ~1.4 MB: loaded on the first layout, not with the editor. */
let elk: Promise<ElkApi> | null = null;
function loadElk(): Promise<ElkApi> {
  elk ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return elk;
}

/**
 * Left-to-right layered layout (elkjs). Out-paths are ELK ports in a fixed order, so a
 * branch's "yes" lane sits above its "no" lane and split arms keep their order: the layout
 * reads like the handles on the cards.
 */
export async function layoutJourney(
  doc: Journey,
  sizes: ReadonlyMap<string, Size> = new Map(),
): Promise<Map<string, XY>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  // Edges on a path the node does not have (a validation error) are left out: ELK rejects them.
  const ports = new Set(doc.nodes.flatMap((n) => outPaths(n).map((p) => portId(n.id, p))));
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "56",
      "elk.spacing.nodeNode": "40",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
    },
    children: doc.nodes.map((n) => {
      const size = sizes.get(n.id) ?? DEFAULT_SIZE;
      return {
        id: n.id,
        width: size.width,
        height: size.height,
        layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
        ports: outPaths(n).map((p) => ({
          id: portId(n.id, p),
          layoutOptions: { "elk.port.side": "EAST" },
        })),
      };
    }),
    edges: doc.edges
      .filter((e) => ids.has(e.to) && ports.has(portId(e.from, e.path)))
      .map((e, i) => ({ id: `e${i}`, sources: [portId(e.from, e.path)], targets: [e.to] })),
  };
  const out = await (await loadElk()).layout(graph);
  const positions = new Map<string, XY>();
  for (const child of out.children ?? []) {
    positions.set(child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) });
  }
  return positions;
}

function portId(nodeId: string, path: string | undefined): string {
  return `${nodeId}::${path ?? OUT_HANDLE}`;
}

/** The rectangle laid-out nodes cover (their measured sizes, else the default card). */
export function layoutBounds(
  positions: ReadonlyMap<string, XY>,
  sizes: ReadonlyMap<string, Size>,
): { x: number; y: number; width: number; height: number } | null {
  let box: { x0: number; y0: number; x1: number; y1: number } | null = null;
  for (const [id, p] of positions) {
    const s = sizes.get(id) ?? DEFAULT_SIZE;
    box = box
      ? {
          x0: Math.min(box.x0, p.x),
          y0: Math.min(box.y0, p.y),
          x1: Math.max(box.x1, p.x + s.width),
          y1: Math.max(box.y1, p.y + s.height),
        }
      : { x0: p.x, y0: p.y, x1: p.x + s.width, y1: p.y + s.height };
  }
  return box && { x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 };
}
