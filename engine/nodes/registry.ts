import { z } from "zod";
import { type BranchNode, branchNode } from "./branch.ts";
import { type CooldownNode, cooldownNode } from "./cooldown.ts";
import { type ExitNode, exitNode } from "./exit.ts";
import { type SendNode, sendNode } from "./send.ts";
import { type SplitNode, splitNode } from "./split.ts";
import { type TriggerNode, triggerNode } from "./trigger.ts";
import type { NodeDefinition } from "./types.ts";
import { type UpdateNode, updateNode } from "./update.ts";
import { type WaitNode, waitNode } from "./wait.ts";

/** Any journey node. Spelled out (not inferred from the list below) to keep types acyclic. */
export type JourneyNode =
  | TriggerNode
  | WaitNode
  | BranchNode
  | SendNode
  | CooldownNode
  | SplitNode
  | UpdateNode
  | ExitNode;
export type NodeType = JourneyNode["type"];

/**
 * Every node type, once. The order is the order of `oneOf` in the JSON Schema and of the
 * palette in the canvas. Adding a type: write engine/nodes/<type>.ts, add it here.
 */
export const NODE_DEFINITIONS: readonly NodeDefinition<JourneyNode>[] = [
  triggerNode,
  waitNode,
  branchNode,
  sendNode,
  cooldownNode,
  splitNode,
  updateNode,
  exitNode,
] as unknown as readonly NodeDefinition<JourneyNode>[];

export const NODE_TYPES = NODE_DEFINITIONS.map((d) => d.type) as NodeType[];

// Every definition's schema is a z.strictObject with a literal `type`, which is what
// discriminatedUnion needs; the definition type only promises ZodType<N>, hence the cast.
type UnionOptions = Parameters<typeof z.discriminatedUnion>[1];
export const NodeSchema = z.discriminatedUnion(
  "type",
  NODE_DEFINITIONS.map((d) => d.schema) as unknown as UnionOptions,
) as unknown as z.ZodType<JourneyNode>;

const byType = new Map<string, NodeDefinition<JourneyNode>>(
  NODE_DEFINITIONS.map((d) => [d.type, d]),
);

/** The definition handling this node's type (TypeScript cannot correlate the union itself). */
export function definitionOf<N extends JourneyNode>(node: N): NodeDefinition<N> {
  const def = byType.get(node.type);
  if (!def) throw new Error(`unknown node type ${node.type}`);
  return def as unknown as NodeDefinition<N>;
}

/** The definition of a node type named by a string (a draft as typed), if there is one. */
export function definitionOfType(type: string): NodeDefinition<JourneyNode> | undefined {
  return byType.get(type);
}

/**
 * The event that enters contacts into a journey document, as its entry node's definition says
 * (`entryEvent`); null when no event enters it. The document may be a draft as typed: an entry
 * node that does not match its schema names no event (validation reports the schema issue and
 * checks no template names then). The server's template-name check, the editor's draft issues,
 * event defaults and the simulator's first row all ask this.
 */
export function entryEventOf(doc: unknown): string | null {
  const nodes = (doc as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return null;
  for (const raw of nodes as unknown[]) {
    const type = (raw as { type?: unknown } | null)?.type;
    const def = typeof type === "string" ? definitionOfType(type) : undefined;
    if (!def?.entry) continue;
    const node = def.schema.safeParse(raw);
    if (node.success) return def.entryEvent(node.data);
  }
  return null;
}
