import type { NodeTypes } from "@xyflow/react";
import { NODE_TYPES } from "../../../../engine/index.ts";
import { NODE_UI } from "./registry.ts";

/** React Flow's type → component map, from the registry: each type's card is in its own file. */
export const nodeTypes: NodeTypes = Object.fromEntries(
  NODE_TYPES.map((type) => [type, NODE_UI[type].component]),
);
