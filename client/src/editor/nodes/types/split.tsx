import type { SplitNode } from "../../../../../engine/nodes/split.ts";
import { i18n } from "../../../i18n/index.ts";
import { PathsNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

export const splitUi: NodeUi<SplitNode> = {
  get label() {
    return i18n.t("nodes.split.label");
  },
  get hint() {
    return i18n.t("nodes.split.hint");
  },
  color: "#db2777",
  icon: { path: "M2 8h4l4-4h4M6 8l4 4h4" },
  idPrefix: "split",
  create: (id, position) => ({
    id,
    type: "split",
    split: {
      arms: [
        { name: "A", percent: 50 },
        { name: "B", percent: 50 },
      ],
    },
    position,
  }),
  summary: (node) => node.split.arms.map((a) => `${a.name} ${a.percent}%`).join(" · "),
  component: PathsNode,
};
