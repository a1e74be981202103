import type { WaitNode } from "../../../../../engine/nodes/wait.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import { i18n } from "../../../i18n/index.ts";
import { shortDuration as dur } from "../../durations.ts";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

export const waitUi: NodeUi<WaitNode> = {
  get label() {
    return i18n.t("nodes.wait.label");
  },
  get hint() {
    return i18n.t("nodes.wait.hint");
  },
  color: "#d97706",
  icon: { path: "M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zm0 2v4l3 2" },
  idPrefix: "wait",
  create: (id, position) => ({
    id,
    type: "wait",
    wait: { kind: "duration", duration: "PT1H" },
    position,
  }),
  summary(node) {
    const w = node.wait;
    switch (w.kind) {
      case "duration":
        return i18n.t("nodes.wait.duration", { duration: dur(w.duration) });
      case "time_of_day":
        return w.weekdays
          ? i18n.t("nodes.wait.timeOnDays", { time: w.time || "…", count: w.weekdays.length })
          : i18n.t("nodes.wait.time", { time: w.time || "…" });
      case "until_attribute":
        return !w.offset
          ? i18n.t("nodes.wait.until", { attribute: w.attribute || "…" })
          : (w.direction ?? "after") === "after"
            ? i18n.t("nodes.wait.untilAfter", {
                offset: dur(w.offset),
                attribute: w.attribute || "…",
              })
            : i18n.t("nodes.wait.untilBefore", {
                offset: dur(w.offset),
                attribute: w.attribute || "…",
              });
      case "best_hour":
        return i18n.t("nodes.wait.bestHour", { fallback: w.fallback });
      default:
        return assertNever(w);
    }
  },
  component: OneOutNode,
};
