import type { BranchNode, EngagementSignal } from "../../../../../engine/nodes/branch.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import { i18n, msgKey } from "../../../i18n/index.ts";
import { shortDuration as dur } from "../../durations.ts";
import { AudiencePicker } from "../../panel/AudiencePicker.tsx";
import { PathsNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

/** The signal as the card says it ("sms1 opened within 2 d?"). */
const SIGNALS: Record<EngagementSignal, string> = {
  delivered: msgKey("nodes.branch.signal.delivered"),
  opened: msgKey("nodes.branch.signal.opened"),
  clicked: msgKey("nodes.branch.signal.clicked"),
};

export const branchUi: NodeUi<BranchNode> = {
  get label() {
    return i18n.t("nodes.branch.label");
  },
  get hint() {
    return i18n.t("nodes.branch.hint");
  },
  color: "#0891b2",
  icon: { path: "M4 2v4a4 4 0 0 0 4 4h4M4 6v8M12 10l-2-2m2 2-2 2" },
  idPrefix: "branch",
  // The schema requires the send an engagement branch watches: the journey's latest send, else
  // a condition branch with no conditions yet.
  create(id, position, doc) {
    const send = [...doc.nodes].reverse().find((n) => n.type === "send");
    return send
      ? {
          id,
          type: "branch",
          branch: { kind: "engagement", node: send.id, signal: "opened", within: "P2D" },
          position,
        }
      : { id, type: "branch", branch: { kind: "condition", conditions: [] }, position };
  },
  summary(node) {
    const b = node.branch;
    switch (b.kind) {
      case "event":
        return i18n.t("nodes.branch.event", { event: b.event || "…", within: dur(b.within) });
      case "engagement":
        return i18n.t("nodes.branch.engagement", {
          node: b.node || "…",
          signal: i18n.t(SIGNALS[b.signal]),
          within: dur(b.within),
        });
      case "condition": {
        const n = b.conditions.length;
        if (n === 0) return i18n.t("nodes.branch.noConditions");
        return (b.match ?? "all") === "all"
          ? i18n.t("nodes.branch.conditionsAll", { count: n })
          : i18n.t("nodes.branch.conditionsAny", { count: n });
      }
      default:
        return assertNever(b);
    }
  },
  component: PathsNode,
  field(_node, path, value, onChange) {
    if (path !== "branch.audience") return undefined;
    return (
      <AudiencePicker
        use="branch"
        value={typeof value === "string" ? value : ""}
        onChange={(id) => onChange(id, null)}
      />
    );
  },
};
