import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import { outPaths } from "../changes.ts";
import type { JourneyFlowNode, JourneyNodeData } from "../mapping.ts";
import { NodeShell, OutHandle, PathHandles } from "./NodeShell.tsx";

/**
 * The card shapes node types share, by their outputs. Defined at module scope (a new object per
 * render would make React Flow remount every node), and memoized since data identity is kept
 * for unchanged nodes. A type with its own shape (trigger, exit) defines it in its file.
 */
type Props = NodeProps<JourneyFlowNode>;

/** Named out-paths as the engine defines them; a duplicated arm name gets one handle. */
function namedPaths(data: JourneyNodeData): string[] {
  return [...new Set(outPaths(data.node).filter((p): p is string => p !== undefined))];
}

/** An input and one unlabeled output (wait, send, cooldown, update). */
export const OneOutNode = memo(function OneOutNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <OutHandle nodeId={id} />
    </NodeShell>
  );
});

/** An input and one labelled output per path (branch yes/no, split arms). */
export const PathsNode = memo(function PathsNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <PathHandles nodeId={id} paths={namedPaths(data)} />
    </NodeShell>
  );
});
