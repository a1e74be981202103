import type { Edge, Journey, JourneyNode, NodeType } from "../format/journey.ts";
import { type FieldChange, fieldChanges } from "./fields.ts";

/**
 * What changes between two journey documents, node by node and field by field: the one diff
 * the publish dialog, the Versions panel, the editor header, `GET /api/journeys/:id/diff`, the
 * import conflict answer and `waymark diff` all show, so they can never disagree.
 *
 * Terms:
 * - a node is matched by id; `added` exists only in `after`, `removed` only in `before`,
 *   `changed` in both with different content. A node's `position` is layout, not content:
 *   moving a node changes nothing users see, so it is counted in `summary.moved`, never as a
 *   change.
 * - an edge is matched by (from, path, to).
 * - `journey` lists the document-level fields that changed (name, description, settings.*).
 * - `summary.changes` is what a person would count: one per node added, removed or changed,
 *   one per connection added or removed that does not touch an added or removed node (those
 *   come with their node), one per document-level field.
 *
 * Pure and deterministic (no clock, no I/O, no locale-dependent word splitting): the same two
 * documents give the same JSON in Node and in the browser.
 */

export type NodeDiff =
  | { change: "added"; nodeId: string; type: NodeType; node: JourneyNode }
  | { change: "removed"; nodeId: string; type: NodeType; node: JourneyNode }
  | { change: "changed"; nodeId: string; type: NodeType; fields: FieldChange[] };

export interface DiffSummary {
  added: number;
  removed: number;
  changed: number;
  edgesAdded: number;
  edgesRemoved: number;
  /** Document-level fields changed (name, description, settings.*). */
  journey: number;
  /** Nodes whose position alone changed: not counted in `changes`. */
  moved: number;
  changes: number;
}

export interface JourneyDiff {
  summary: DiffSummary;
  /** Added and changed nodes in `after`'s order, then removed ones in `before`'s order. */
  nodes: NodeDiff[];
  edges: { added: Edge[]; removed: Edge[] };
  journey: FieldChange[];
}

export type { FieldChange, WordPart } from "./fields.ts";

/** A node's content without its canvas position. */
function content(n: JourneyNode): Record<string, unknown> {
  const { position: _position, ...rest } = n;
  return rest;
}

const samePosition = (a: JourneyNode, b: JourneyNode) =>
  (a.position?.x ?? null) === (b.position?.x ?? null) &&
  (a.position?.y ?? null) === (b.position?.y ?? null);

export function edgeId(e: Edge): string {
  return `${e.from}:${e.path ?? ""}->${e.to}`;
}

/** Document-level fields: everything but the graph (and the format tag and id, which match). */
function documentFields(j: Journey | null): Record<string, unknown> {
  if (!j) return {};
  return { name: j.name, description: j.description, settings: j.settings };
}

/**
 * The diff from `before` to `after`; `before` null means nothing is published yet, so every
 * node is added.
 */
export function diffJourneys(before: Journey | null, after: Journey): JourneyDiff {
  // Maps, not objects: node ids come from outside (`__proto__` is a valid-looking id).
  const old = new Map((before?.nodes ?? []).map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const nodes: NodeDiff[] = [];
  let moved = 0;
  for (const n of after.nodes) {
    const b = old.get(n.id);
    if (!b) {
      nodes.push({ change: "added", nodeId: n.id, type: n.type, node: n });
      continue;
    }
    const fields = fieldChanges(content(b), content(n));
    if (fields.length > 0) nodes.push({ change: "changed", nodeId: n.id, type: n.type, fields });
    else if (!samePosition(b, n)) moved++;
  }
  for (const n of before?.nodes ?? [])
    if (!now.has(n.id)) nodes.push({ change: "removed", nodeId: n.id, type: n.type, node: n });

  const oldEdges = new Set((before?.edges ?? []).map(edgeId));
  const newEdges = new Set(after.edges.map(edgeId));
  const edges = {
    added: after.edges.filter((e) => !oldEdges.has(edgeId(e))),
    removed: (before?.edges ?? []).filter((e) => !newEdges.has(edgeId(e))),
  };
  const journey =
    before === null ? [] : fieldChanges(documentFields(before), documentFields(after));

  const count = (c: NodeDiff["change"]) => nodes.filter((d) => d.change === c).length;
  const structural = new Set(nodes.filter((d) => d.change !== "changed").map((d) => d.nodeId));
  const standalone = (e: Edge) => !structural.has(e.from) && !structural.has(e.to);
  return {
    summary: {
      added: count("added"),
      removed: count("removed"),
      changed: count("changed"),
      edgesAdded: edges.added.length,
      edgesRemoved: edges.removed.length,
      journey: journey.length,
      moved,
      changes:
        nodes.length +
        edges.added.filter(standalone).length +
        edges.removed.filter(standalone).length +
        journey.length,
    },
    nodes,
    edges,
    journey,
  };
}

export function isEmptyDiff(d: JourneyDiff): boolean {
  return d.summary.changes === 0;
}

/** "3 changes", "1 change": the header's and the CLI's count. */
export function changesLabel(n: number): string {
  return `${n.toLocaleString("en-US")} change${n === 1 ? "" : "s"}`;
}
