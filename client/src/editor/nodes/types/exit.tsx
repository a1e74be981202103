import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { ExitNode } from "../../../../../engine/nodes/exit.ts";
import { i18n } from "../../../i18n/index.ts";
import type { JourneyFlowNode } from "../../mapping.ts";
import { NodeShell } from "../NodeShell.tsx";
import type { NodeUi } from "../ui.ts";

const ExitCard = memo(function ExitNode({ data, selected }: NodeProps<JourneyFlowNode>) {
  // Nothing runs after an exit: no output handle, so no edge can leave it.
  return <NodeShell data={data} selected={selected} />;
});

export const exitUi: NodeUi<ExitNode> = {
  get label() {
    return i18n.t("nodes.exit.label");
  },
  get hint() {
    return i18n.t("nodes.exit.hint");
  },
  color: "#64748b",
  icon: { path: "M4 4h8v8H4z" },
  idPrefix: "exit",
  create: (id, position) => ({ id, type: "exit", position }),
  summary: () => i18n.t("nodes.exit.summary"),
  component: ExitCard,
};
