import type { CSSProperties } from "react";
import { z } from "zod";
import {
  type Issue,
  type Journey,
  type JourneyNode,
  NODE_DEFINITIONS,
  type NodeType,
} from "../../../../engine/index.ts";
import { cooldownApplies } from "../../../../engine/nodes/cooldown.ts";
import { useCan } from "../../permissions.ts";
import type { DocChange } from "../changes.ts";
import { NodeIcon } from "../nodes/icons.tsx";
import { type ObjectField, objectFields } from "../schema/introspect.ts";
import { describeCooldown, NODE_META } from "../summary.ts";
import { AudiencePicker } from "./AudiencePicker.tsx";
import { Select } from "./inputs.tsx";
import { ObjectFields, type Override } from "./SchemaFields.tsx";
import { LOCALE_OPTIONS, SmsPreviewCard, TemplateEditor } from "./SendEditor.tsx";
import { TestSendCard } from "./TestSend.tsx";

const APPLIES_OPTIONS = [
  { value: "other_journeys", label: "Other journeys only" },
  { value: "all_journeys", label: "All journeys, this one included" },
] as const;

/** Fields per node type, derived once from the engine's schema (id, type and position are the canvas's). */
const FIELDS = new Map<NodeType, ObjectField[]>(
  NODE_DEFINITIONS.map((d) => [
    d.type,
    d.schema instanceof z.ZodObject ? objectFields(d.schema, ["id", "type", "position"]) : [],
  ]),
);

export function IssueList({ issues }: { issues: readonly Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul className="node-issues">
      {issues.map((i) => (
        <li key={`${i.code}:${i.message}`} className={`issue issue-${i.severity}`}>
          <span className="issue-code">{i.code}</span> {i.message}
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
  const meta = NODE_META[node.type];
  const can = useCan();
  const fields = FIELDS.get(node.type) ?? [];
  const update = (next: Record<string, unknown>, mergeKey: string | null) =>
    // The form edits a copy of this node shaped by its own schema; values may be mid-edit
    // (an empty event name), which validation reports — hence the cast rather than a parse.
    apply(
      { type: "update-node", node: { ...next, id: node.id, type: node.type } as JourneyNode },
      { mergeKey: mergeKey && `${node.id}:${mergeKey}` },
    );

  const override: Override = (path, value, onChange) => {
    if (path === "send.template") {
      return (
        <TemplateEditor
          value={typeof value === "string" ? value : ""}
          onChange={onChange}
          mergeKey="field:send.template"
        />
      );
    }
    if (path === "trigger.audience") {
      return (
        <AudiencePicker
          use="trigger"
          value={typeof value === "string" ? value : ""}
          onChange={(id) => onChange(id, null)}
        />
      );
    }
    if (path === "branch.audience") {
      return (
        <AudiencePicker
          use="branch"
          value={typeof value === "string" ? value : ""}
          onChange={(id) => onChange(id, null)}
        />
      );
    }
    if (path === "cooldown.applies" && node.type === "cooldown") {
      return (
        <Select
          label="Holds back"
          value={cooldownApplies(node.cooldown)}
          options={APPLIES_OPTIONS}
          hint="Other journeys only: this journey's own later sends still go out. All journeys: a full pause, this journey's later sends of this kind are suppressed too."
          onChange={(v) => onChange(v, null)}
        />
      );
    }
    if (path === "send.locale") {
      return (
        <Select
          label="Opt-out locale"
          value={typeof value === "string" ? value : ""}
          options={LOCALE_OPTIONS}
          hint="Overrides the contact's locale for the opt-out line."
          onChange={(v) => onChange(v === "" ? undefined : v, null)}
        />
      );
    }
    return undefined;
  };

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
        aria-label={`${meta.label} ${node.id} settings`}
      >
        <ObjectFields
          fields={fields}
          value={node as Record<string, unknown>}
          onChange={update}
          path=""
          override={override}
        />
      </form>
      {node.type === "cooldown" && (
        <p className="cooldown-summary" data-testid="cooldown-summary">
          {describeCooldown(node.cooldown)}.
        </p>
      )}
      {node.type === "send" && node.send.channel === "sms" && (
        <SmsPreviewCard send={node.send} journey={{ id: doc.id, name: doc.name }} />
      )}
      {node.type === "send" && can("testSend") && (
        <TestSendCard journeyId={doc.id} nodeId={node.id} testList={doc.settings?.testList ?? []} />
      )}
      <div className="panel-actions">
        <button type="button" className="danger-outline" onClick={onDelete}>
          Delete step
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
  return (
    <div className="node-panel">
      <h3>{count} steps selected</h3>
      <p className="muted">
        Drag to move them together; copy to paste them here or in another journey.
      </p>
      <div className="panel-actions">
        <button type="button" onClick={onCopy}>
          Copy
        </button>
        <button type="button" className="danger-outline" onClick={onDelete}>
          Delete
        </button>
      </div>
    </div>
  );
}
