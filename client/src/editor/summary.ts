import type { JourneyNode } from "../../../engine/index.ts";
import { uiOf } from "./nodes/registry.ts";

export { humanizeDuration } from "./durations.ts";

/** The one-line summary under a node's title (each type's own, in nodes/types/<type>.tsx). */
export function summarize(node: JourneyNode): string {
  return uiOf(node).summary(node);
}
