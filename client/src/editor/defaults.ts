import type { Journey, JourneyNode, NodeType } from "../../../engine/index.ts";
import { NODE_UI } from "./nodes/registry.ts";
import type { XY } from "./nodes/ui.ts";

export type { XY } from "./nodes/ui.ts";

/** The lowest free `<prefix><n>` id ("wait1", "wait2"…): short, readable in exports and logs. */
export function nextNodeId(type: NodeType, taken: ReadonlySet<string>): string {
  const prefix = NODE_UI[type].idPrefix;
  for (let n = 1; ; n++) {
    const id = `${prefix}${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * A new node of `type` that passes the schema, so the draft stays saveable the moment it is
 * dropped; each type's default is in its nodes/types/<type>.tsx.
 */
export function defaultNode(type: NodeType, id: string, position: XY, doc: Journey): JourneyNode {
  return NODE_UI[type].create(id, position, doc);
}
