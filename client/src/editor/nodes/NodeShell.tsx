import { Handle, Position } from "@xyflow/react";
import type { TFunction } from "i18next";
import type { CSSProperties, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../i18n/format.ts";
import { issueText } from "../issue-text.ts";
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
  // The hook re-renders the card when the language changes: its words come from the catalogs.
  const { t } = useTranslation();
  const format = useFormat();
  const { node, issues, liveCount } = data;
  const meta = uiOf(node);
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  const tone = errors > 0 ? "error" : warnings > 0 ? "warning" : "ok";
  const problems = issues.map((i) => issueText(t, i)).join("\n");
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
          aria-label={t("nodes.card.input", { node: node.id })}
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
            aria-label={t("nodes.card.issues", {
              errors: t("nodes.card.errors", { count: errors }),
              warnings: t("nodes.card.warnings", { count: warnings }),
            })}
          >
            {errors > 0 ? errors : warnings}
          </span>
        )}
      </div>
      <div className="wm-node-summary">{meta.summary(node)}</div>
      <div className="wm-node-foot">
        <span className="mono">{node.id}</span>
        {liveCount !== null && (
          <span className="wm-live-count">
            {t("nodes.card.here", { count: liveCount, n: format.number(liveCount) })}
          </span>
        )}
      </div>
      <LiveCounts nodeId={node.id} type={node.type} />
      {children}
    </div>
  );
}

/** The single unlabeled output of trigger, wait, send and cooldown nodes. */
export function OutHandle({ nodeId }: { nodeId: string }) {
  const { t } = useTranslation();
  return (
    <Handle
      type="source"
      position={Position.Right}
      id={OUT_HANDLE}
      aria-label={t("nodes.card.output", { node: nodeId })}
    />
  );
}

/** Labelled outputs (branch yes/no, split arms), spread down the right edge. */
export function PathHandles({ nodeId, paths }: { nodeId: string; paths: readonly string[] }) {
  const { t } = useTranslation();
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
            <span className="wm-path-label">{pathLabel(t, path)}</span>
            <Handle
              type="source"
              position={Position.Right}
              id={path}
              aria-label={t("nodes.card.pathOutput", { node: nodeId, path })}
            />
          </div>
        );
      })}
    </div>
  );
}

/** A branch's yes/no in the console's language; a split arm's name is the author's own. */
export function pathLabel(t: TFunction, path: string): string {
  if (path === "yes") return t("nodes.card.yes");
  if (path === "no") return t("nodes.card.no");
  return path;
}
