import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { TriggerNode } from "../../../../../engine/nodes/trigger.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import type { JourneyFlowNode } from "../../mapping.ts";
import { AudiencePicker } from "../../panel/AudiencePicker.tsx";
import { NodeShell, OutHandle } from "../NodeShell.tsx";
import type { NodeUi } from "../ui.ts";

const TriggerCard = memo(function TriggerNode({ data, selected, id }: NodeProps<JourneyFlowNode>) {
  // Nothing leads into a trigger: enrollments enter through it, so it has no input handle.
  return (
    <NodeShell data={data} selected={selected} input={false}>
      <OutHandle nodeId={id} />
    </NodeShell>
  );
});

export const triggerUi: NodeUi<TriggerNode> = {
  label: "Trigger",
  hint: "How users enter",
  color: "#4f46e5",
  icon: { path: "M9 1 3 9h4l-1 6 6-8H8l1-6z", filled: true },
  idPrefix: "trigger",
  create: (id, position) => ({ id, type: "trigger", trigger: { kind: "api" }, position }),
  summary(node) {
    const t = node.trigger;
    switch (t.kind) {
      case "event":
        return `on ${t.event || "…"}${t.where?.length ? ` (${t.where.length} filter${t.where.length === 1 ? "" : "s"})` : ""}`;
      case "audience":
        return `joins ${t.audience || "…"}`;
      case "date_attribute": {
        const off =
          t.offsetDays === 0 ? "" : ` ${t.offsetDays > 0 ? "+" : "−"}${Math.abs(t.offsetDays)} d`;
        return `${t.attribute || "…"}${off} at ${t.time ?? "09:00"}${t.yearly ? ", yearly" : ""}`;
      }
      case "api":
        return "entered by API call";
      default:
        return assertNever(t);
    }
  },
  component: TriggerCard,
  field(_node, path, value, onChange) {
    if (path !== "trigger.audience") return undefined;
    return (
      <AudiencePicker
        use="trigger"
        value={typeof value === "string" ? value : ""}
        onChange={(id) => onChange(id, null)}
      />
    );
  },
};
