import { Handle, Position } from "@xyflow/react";
import type { CSSProperties, ReactNode } from "react";
import { IN_HANDLE, type JourneyNodeData, OUT_HANDLE } from "../mapping.ts";
import { NodeIcon } from "./icons.tsx";
import { LiveCounts } from "./LiveCounts.tsx";
import { uiOf } from "./registry.ts";

/**
 * The card every node type draws: a colour and icon per type, the label, a one-line summary,
 * an issues badge, and the input handle. Each type's component adds its output handles.
 */
export function NodeShell({
  data,
  selected,
  input = true,
  children,
}: {
  data: JourneyNodeData;
  selected: boolean;
  input?: boolean;
  children?: ReactNode;
}) {
  const { node, issues, liveCount } = data;
  const meta = uiOf(node);
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  const tone = errors > 0 ? "error" : warnings > 0 ? "warning" : "ok";
  const problems = issues.map((i) => i.message).join("\n");
  return (
    <div
      className={`wm-node wm-node-${node.type} wm-tone-${tone}${selected ? " is-selected" : ""}`}
      data-testid={`node-${node.id}`}
      data-issues={issues.map((i) => i.code).join(" ")}
      style={{ "--node-color": meta.color } as CSSProperties}
    >
      {input && (
        <Handle
          type="target"
          position={Position.Left}
          id={IN_HANDLE}
          aria-label={`${node.id} input`}
        />
      )}
      <div className="wm-node-head">
        <span className="wm-node-icon" aria-hidden>
          <NodeIcon type={node.type} />
        </span>
        <span className="wm-node-title">{node.label || meta.label}</span>
        {issues.length > 0 && (
          <span
            className={`wm-issue-badge wm-issue-${tone}`}
            title={problems}
            role="img"
            aria-label={`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`}
          >
            {errors > 0 ? errors : warnings}
          </span>
        )}
      </div>
      <div className="wm-node-summary">{meta.summary(node)}</div>
      <div className="wm-node-foot">
        <span className="mono">{node.id}</span>
        {liveCount !== null && (
          <span className="wm-live-count">{liveCount.toLocaleString()} here</span>
        )}
      </div>
      <LiveCounts nodeId={node.id} type={node.type} />
      {children}
    </div>
  );
}

/** The single unlabeled output of trigger, wait, send and cooldown nodes. */
export function OutHandle({ nodeId }: { nodeId: string }) {
  return (
    <Handle
      type="source"
      position={Position.Right}
      id={OUT_HANDLE}
      aria-label={`${nodeId} output`}
    />
  );
}

/** Labelled outputs (branch yes/no, split arms), spread down the right edge. */
export function PathHandles({ nodeId, paths }: { nodeId: string; paths: readonly string[] }) {
  return (
    <div className="wm-paths">
      {paths.map((path, i) => {
        const top = `${((i + 1) * 100) / (paths.length + 1)}%`;
        return (
          <div
            key={path}
            className={`wm-path wm-path-${path === "yes" || path === "no" ? path : "arm"}`}
            style={{ top }}
          >
            <span className="wm-path-label">{path}</span>
            <Handle
              type="source"
              position={Position.Right}
              id={path}
              aria-label={`${nodeId} ${path} output`}
            />
          </div>
        );
      })}
    </div>
  );
}
