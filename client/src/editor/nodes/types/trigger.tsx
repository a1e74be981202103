import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { TriggerNode } from "../../../../../engine/nodes/trigger.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import { i18n } from "../../../i18n/index.ts";
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
  get label() {
    return i18n.t("nodes.trigger.label");
  },
  get hint() {
    return i18n.t("nodes.trigger.hint");
  },
  color: "#4f46e5",
  icon: { path: "M9 1 3 9h4l-1 6 6-8H8l1-6z", filled: true },
  idPrefix: "trigger",
  create: (id, position) => ({ id, type: "trigger", trigger: { kind: "api" }, position }),
  summary(node) {
    const t = node.trigger;
    switch (t.kind) {
      case "event":
        return t.where?.length
          ? i18n.t("nodes.trigger.eventFiltered", { event: t.event || "…", count: t.where.length })
          : i18n.t("nodes.trigger.event", { event: t.event || "…" });
      case "audience":
        return i18n.t("nodes.trigger.audience", { audience: t.audience || "…" });
      case "date_attribute": {
        const off =
          t.offsetDays === 0
            ? ""
            : ` ${t.offsetDays > 0 ? "+" : "−"}${i18n.t("editor.unit.day", { n: Math.abs(t.offsetDays) })}`;
        const when = { attribute: `${t.attribute || "…"}${off}`, time: t.time ?? "09:00" };
        return t.yearly
          ? i18n.t("nodes.trigger.dateYearly", when)
          : i18n.t("nodes.trigger.date", when);
      }
      case "api":
        return i18n.t("nodes.trigger.api");
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
