import type { Edge, Journey, JourneyNode, Settings } from "../../../engine/index.ts";
import { definitionOf } from "../../../engine/nodes/registry.ts";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import type { XY } from "./defaults.ts";

/**
 * Every edit to a journey is one of these objects, applied by a pure function (xyflow's
 * `applyNodeChanges` idea, but over our document): the document is the single state, the
 * canvas is derived from it, and undo/redo is a stack of documents.
 */
export type DocChange =
  /** Adds nodes (palette drop, paste) and edges among or to them. */
  | { type: "add"; nodes: JourneyNode[]; edges?: Edge[] }
  /** Connects a node's out-path to a node; an out-path leads to one node, so it replaces. */
  | { type: "connect"; edge: Edge }
  /** Deletes nodes (with every edge touching them) and edges. */
  | { type: "remove"; nodeIds: readonly string[]; edges: readonly Edge[] }
  /** Replaces a node's spec (same id and type); split arm renames carry their edges along. */
  | { type: "update-node"; node: JourneyNode }
  | { type: "move"; positions: Readonly<Record<string, XY>> }
  | { type: "update-journey"; name?: string; description?: string; settings?: Settings };

export function sameEdge(a: Edge, b: Edge): boolean {
  return a.from === b.from && a.to === b.to && (a.path ?? null) === (b.path ?? null);
}

export function applyChange(doc: Journey, change: DocChange): Journey {
  switch (change.type) {
    case "add":
      return {
        ...doc,
        nodes: [...doc.nodes, ...change.nodes],
        edges: [...doc.edges, ...(change.edges ?? [])],
      };
    case "connect":
      return connect(doc, change.edge);
    case "remove":
      return remove(doc, change.nodeIds, change.edges);
    case "update-node":
      return updateNode(doc, change.node);
    case "move":
      return move(doc, change.positions);
    case "update-journey": {
      const next: Journey = { ...doc };
      if (change.name !== undefined) next.name = change.name;
      if ("description" in change)
        setOptional(next, "description", change.description || undefined);
      if ("settings" in change) setOptional(next, "settings", emptyToUndefined(change.settings));
      return next;
    }
    default:
      return assertNever(change);
  }
}

function connect(doc: Journey, edge: Edge): Journey {
  if (edge.from === edge.to) return doc;
  const path = edge.path ?? null;
  // One node per out-path: a second edge from the same path would be `duplicate_path`.
  const kept = doc.edges.filter((e) => !(e.from === edge.from && (e.path ?? null) === path));
  const clean: Edge = edge.path === undefined ? { from: edge.from, to: edge.to } : edge;
  return { ...doc, edges: [...kept, clean] };
}

function remove(doc: Journey, nodeIds: readonly string[], edges: readonly Edge[]): Journey {
  const gone = new Set(nodeIds);
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter(
      (e) => !gone.has(e.from) && !gone.has(e.to) && !edges.some((r) => sameEdge(r, e)),
    ),
  };
}

function updateNode(doc: Journey, node: JourneyNode): Journey {
  const before = doc.nodes.find((n) => n.id === node.id);
  if (!before) return doc;
  const nodes = doc.nodes.map((n) => (n.id === node.id ? node : n));
  let edges = doc.edges;
  if (before.type === "split" && node.type === "split") {
    // Arms are edited in place (by index): a renamed arm keeps its edge, a removed one drops it.
    const rename = new Map<string, string>();
    before.split.arms.forEach((arm, i) => {
      const after = node.split.arms[i];
      if (after && after.name !== arm.name) rename.set(arm.name, after.name);
    });
    const names = new Set(node.split.arms.map((a) => a.name));
    edges = doc.edges
      .map((e) => {
        if (e.from !== node.id || e.path === undefined) return e;
        const to = rename.get(e.path);
        return to === undefined ? e : { ...e, path: to };
      })
      .filter((e) => e.from !== node.id || e.path === undefined || names.has(e.path));
  }
  return { ...doc, nodes, edges };
}

function move(doc: Journey, positions: Readonly<Record<string, XY>>): Journey {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions[n.id];
    if (!p) return n;
    changed = true;
    // Whole pixels: sub-pixel drag noise would make every export diff.
    return { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } };
  });
  return changed ? { ...doc, nodes } : doc;
}

function setOptional<K extends "description" | "settings">(
  doc: Journey,
  key: K,
  value: Journey[K] | undefined,
): void {
  if (value === undefined) delete doc[key];
  else doc[key] = value;
}

/** Settings with every member unset are dropped, so the export has no `"settings": {}`. */
function emptyToUndefined(settings: Settings | undefined): Settings | undefined {
  if (!settings) return undefined;
  return Object.values(settings).some((v) => v !== undefined) ? settings : undefined;
}

/**
 * The first out-path of `node` that has no edge yet, or null: click-to-add uses it to chain a
 * new node after the selected one ("yes" before "no", arms in order).
 */
export function firstFreePath(doc: Journey, node: JourneyNode): { path?: string } | null {
  const used = new Set(doc.edges.filter((e) => e.from === node.id).map((e) => e.path ?? ""));
  for (const path of outPaths(node)) {
    if (!used.has(path ?? "")) return path === undefined ? {} : { path };
  }
  return null;
}

/**
 * The out-paths a node offers (undefined = its one unlabeled edge), as the engine defines
 * them, so handles on the canvas and `unexpected_path` in validation cannot disagree.
 */
export function outPaths(node: JourneyNode): (string | undefined)[] {
  const paths = definitionOf(node).outPaths(node);
  switch (paths.kind) {
    case "none":
      return [];
    case "one":
      return [undefined];
    case "named":
      return [...paths.names];
    default:
      return assertNever(paths);
  }
}
