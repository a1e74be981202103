import type { CSSProperties } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import {
  type Issue,
  type Journey,
  type JourneyNode,
  NODE_DEFINITIONS,
  type NodeType,
} from "../../../../engine/index.ts";
import type { DocChange } from "../changes.ts";
import { issueText } from "../issue-text.ts";
import { NodeIcon } from "../nodes/icons.tsx";
import { uiOf } from "../nodes/registry.ts";
import { type ObjectField, objectFields } from "../schema/introspect.ts";
import { ObjectFields, type Override } from "./SchemaFields.tsx";

/** Fields per node type, derived once from the engine's schema (id, type and position are the canvas's). */
const FIELDS = new Map<NodeType, ObjectField[]>(
  NODE_DEFINITIONS.map((d) => [
    d.type,
    d.schema instanceof z.ZodObject ? objectFields(d.schema, ["id", "type", "position"]) : [],
  ]),
);

export function IssueList({ issues }: { issues: readonly Issue[] }) {
  const { t } = useTranslation();
  if (issues.length === 0) return null;
  return (
    <ul className="node-issues">
      {issues.map((i) => (
        <li
          key={`${i.code}:${i.message}`}
          className={`issue issue-${i.severity}`}
          title={i.message}
        >
          <span className="issue-code">{i.code}</span> {issueText(t, i)}
        </li>
      ))}
    </ul>
  );
}

export function NodePanel({
  node,
  doc,
  issues,
  apply,
  onDelete,
}: {
  node: JourneyNode;
  doc: Journey;
  issues: readonly Issue[];
  apply: (change: DocChange, options?: { mergeKey?: string | null }) => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const meta = uiOf(node);
  const fields = FIELDS.get(node.type) ?? [];
  const update = (next: Record<string, unknown>, mergeKey: string | null) =>
    // The form edits a copy of this node shaped by its own schema; values may be mid-edit
    // (an empty event name), which validation reports — hence the cast rather than a parse.
    apply(
      { type: "update-node", node: { ...next, id: node.id, type: node.type } as JourneyNode },
      { mergeKey: mergeKey && `${node.id}:${mergeKey}` },
    );

  // The type's own inputs where the schema-derived one is not enough (nodes/types/<type>.tsx).
  const override: Override = (path, value, onChange) => meta.field?.(node, path, value, onChange);
  const Inspector = meta.Inspector;

  return (
    <div className="node-panel" style={{ "--node-color": meta.color } as CSSProperties}>
      <header className="node-panel-head">
        <span className="wm-node-icon" aria-hidden>
          <NodeIcon type={node.type} />
        </span>
        <div>
          <h3>{meta.label}</h3>
          <span className="mono muted">{node.id}</span>
        </div>
      </header>
      <IssueList issues={issues} />
      <form
        className="form"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t("panel.node.settings", { label: meta.label, node: node.id })}
      >
        <ObjectFields
          fields={fields}
          value={node as Record<string, unknown>}
          onChange={update}
          path=""
          override={override}
        />
      </form>
      {Inspector && <Inspector node={node} doc={doc} />}
      <div className="panel-actions">
        <button type="button" className="danger-outline" onClick={onDelete}>
          {t("panel.node.delete")}
        </button>
      </div>
    </div>
  );
}

/** Summary for a multi-selection: what copy/delete will act on. */
export function SelectionPanel({
  count,
  onCopy,
  onDelete,
}: {
  count: number;
  onCopy: () => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="node-panel">
      <h3>{t("panel.selection.title", { count })}</h3>
      <p className="muted">{t("panel.selection.hint")}</p>
      <div className="panel-actions">
        <button type="button" onClick={onCopy}>
          {t("panel.selection.copy")}
        </button>
        <button type="button" className="danger-outline" onClick={onDelete}>
          {t("common.delete")}
        </button>
      </div>
    </div>
  );
}
