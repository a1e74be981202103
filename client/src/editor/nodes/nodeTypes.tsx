import type { NodeProps, NodeTypes } from "@xyflow/react";
import { memo } from "react";
import { outPaths } from "../changes.ts";
import type { JourneyFlowNode, JourneyNodeData } from "../mapping.ts";
import { NodeShell, OutHandle, PathHandles } from "./NodeShell.tsx";

/**
 * One component per node type. Defined at module scope (a new object per render would make
 * React Flow remount every node), and memoized since data identity is kept for unchanged nodes.
 */
type Props = NodeProps<JourneyFlowNode>;

/** Named out-paths as the engine defines them; a duplicated arm name gets one handle. */
function namedPaths(data: JourneyNodeData): string[] {
  return [...new Set(outPaths(data.node).filter((p): p is string => p !== undefined))];
}

const TriggerNode = memo(function TriggerNode({ data, selected, id }: Props) {
  // Nothing leads into a trigger: enrollments enter through it, so it has no input handle.
  return (
    <NodeShell data={data} selected={selected} input={false}>
      <OutHandle nodeId={id} />
    </NodeShell>
  );
});

const WaitNode = memo(function WaitNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <OutHandle nodeId={id} />
    </NodeShell>
  );
});

const BranchNode = memo(function BranchNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <PathHandles nodeId={id} paths={namedPaths(data)} />
    </NodeShell>
  );
});

const SendNode = memo(function SendNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <OutHandle nodeId={id} />
    </NodeShell>
  );
});

const CooldownNode = memo(function CooldownNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <OutHandle nodeId={id} />
    </NodeShell>
  );
});

const SplitNode = memo(function SplitNode({ data, selected, id }: Props) {
  return (
    <NodeShell data={data} selected={selected}>
      <PathHandles nodeId={id} paths={namedPaths(data)} />
    </NodeShell>
  );
});

const ExitNode = memo(function ExitNode({ data, selected }: Props) {
  // Nothing runs after an exit: no output handle, so no edge can leave it.
  return <NodeShell data={data} selected={selected} />;
});

export const nodeTypes = {
  trigger: TriggerNode,
  wait: WaitNode,
  branch: BranchNode,
  send: SendNode,
  cooldown: CooldownNode,
  split: SplitNode,
  exit: ExitNode,
} satisfies NodeTypes;
