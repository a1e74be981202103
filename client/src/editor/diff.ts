import type { Edge, Journey, JourneyNode } from "../../../engine/index.ts";
import { edgeKey } from "./mapping.ts";

/** What publishing changes, node by node: the publish dialog's review. */
export type JourneyDiff = {
  added: JourneyNode[];
  removed: JourneyNode[];
  changed: { before: JourneyNode; after: JourneyNode; fields: string[] }[];
  edgesAdded: Edge[];
  edgesRemoved: Edge[];
  settingsChanged: boolean;
  renamed: boolean;
};

/** A node's content without its canvas position: moving a node changes nothing users see. */
function content(n: JourneyNode): Record<string, unknown> {
  const { position: _position, ...rest } = n;
  return rest;
}

/** Canonical JSON (sorted keys) so key order never reads as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function diffJourneys(before: Journey | null, after: Journey): JourneyDiff {
  const old = new Map((before?.nodes ?? []).map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const changed: JourneyDiff["changed"] = [];
  for (const n of after.nodes) {
    const b = old.get(n.id);
    if (!b) continue;
    const bc = content(b);
    const ac = content(n);
    const fields = [...new Set([...Object.keys(bc), ...Object.keys(ac)])].filter(
      (k) => canonical(bc[k]) !== canonical(ac[k]),
    );
    if (fields.length > 0) changed.push({ before: b, after: n, fields });
  }
  const oldEdges = new Set((before?.edges ?? []).map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  return {
    added: after.nodes.filter((n) => !old.has(n.id)),
    removed: (before?.nodes ?? []).filter((n) => !now.has(n.id)),
    changed,
    edgesAdded: after.edges.filter((e) => !oldEdges.has(edgeKey(e))),
    edgesRemoved: (before?.edges ?? []).filter((e) => !newEdges.has(edgeKey(e))),
    settingsChanged: canonical(before?.settings ?? null) !== canonical(after.settings ?? null),
    renamed: before !== null && before.name !== after.name,
  };
}

export function isEmptyDiff(d: JourneyDiff): boolean {
  return (
    d.added.length +
      d.removed.length +
      d.changed.length +
      d.edgesAdded.length +
      d.edgesRemoved.length ===
      0 &&
    !d.settingsChanged &&
    !d.renamed
  );
}
