import { useSyncExternalStore } from "react";
import { DEFAULT_VARIANT } from "../../../../engine/nodes/send-variants.ts";

/**
 * Which variant tab each send node shows. The send's fields and its inspector (preview, parts,
 * test send) are sibling parts of the node panel, so the tab lives outside both; per node, so
 * clicking another send and back keeps the tab.
 */
const tabs = new Map<string, string>();
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useVariantTab(nodeId: string): [string, (tab: string) => void] {
  const tab = useSyncExternalStore(subscribe, () => tabs.get(nodeId) ?? DEFAULT_VARIANT);
  const set = (next: string) => {
    tabs.set(nodeId, next);
    for (const l of listeners) l();
  };
  return [tab, set];
}
