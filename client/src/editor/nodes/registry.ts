import type { JourneyNode, NodeType } from "../../../../engine/index.ts";
import { branchUi } from "./types/branch.tsx";
import { cooldownUi } from "./types/cooldown.tsx";
import { exitUi } from "./types/exit.tsx";
import { sendUi } from "./types/send.tsx";
import { splitUi } from "./types/split.tsx";
import { triggerUi } from "./types/trigger.tsx";
import { updateUi } from "./types/update.tsx";
import { waitUi } from "./types/wait.tsx";
import type { NodeUi, NodeUis } from "./ui.ts";

/**
 * Every node type's console side, once: a type missing here fails to compile (`satisfies`),
 * and tests/client/node-registry.test.ts checks the same at run time against the engine's list.
 * The palette's order is the engine registry's (NODE_TYPES), not this object's.
 */
export const NODE_UI = {
  trigger: triggerUi,
  wait: waitUi,
  branch: branchUi,
  send: sendUi,
  cooldown: cooldownUi,
  split: splitUi,
  update: updateUi,
  exit: exitUi,
} satisfies NodeUis;

/** The entry for a node (TypeScript cannot correlate a union with its map entry itself). */
export function uiOf<N extends JourneyNode>(node: N): NodeUi<N> {
  return NODE_UI[node.type as NodeType] as unknown as NodeUi<N>;
}
