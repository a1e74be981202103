import type { WaitNode } from "../../../../../engine/nodes/wait.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import { shortDuration as dur } from "../../durations.ts";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

export const waitUi: NodeUi<WaitNode> = {
  label: "Wait",
  hint: "A delay, a time of day, a date",
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
        return `wait ${dur(w.duration)}`;
      case "time_of_day":
        return `until ${w.time || "…"}${w.weekdays ? ` on ${w.weekdays.length} day${w.weekdays.length === 1 ? "" : "s"}` : ""}`;
      case "until_attribute":
        return `until ${w.offset ? `${dur(w.offset)} ${w.direction ?? "after"} ` : ""}${w.attribute || "…"}`;
      case "best_hour":
        return `best hour, else ${w.fallback}`;
      default:
        return assertNever(w);
    }
  },
  component: OneOutNode,
};
