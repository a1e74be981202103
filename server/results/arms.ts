import type { Journey } from "../../engine/format/journey.ts";
import { definitionOf } from "../../engine/nodes/registry.ts";

/**
 * Which send nodes act for a split arm, from the journey's graph (pure, no I/O).
 *
 * An arm's results count only the messages the arm caused: sends downstream of the arm's
 * out-edge, sent after the contact took it (issue #16: a split after `sms1` showed sms1's
 * recipients in every arm). Downstream stops at the split itself: a cycle back through the
 * split makes a new assignment, and the sends after it belong to that one. A send reachable
 * from several arms (the arms join again) is listed for each; the assignment the message
 * follows in its enrollment decides which arm it counts for.
 */
export interface ArmSend {
  split: string;
  arm: string;
  node: string;
}

export function armSends(journey: Journey): ArmSend[] {
  const sends = new Set(journey.nodes.filter((n) => definitionOf(n).sends).map((n) => n.id));
  const out = new Map<string, string[]>();
  for (const e of journey.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const rows: ArmSend[] = [];
  for (const split of journey.nodes) {
    for (const arm of definitionOf(split).arms(split) ?? []) {
      const starts = journey.edges
        .filter((e) => e.from === split.id && e.path === arm.name)
        .map((e) => e.to);
      const seen = new Set<string>();
      const stack = starts.filter((id) => id !== split.id);
      while (stack.length > 0) {
        const id = stack.pop() as string;
        if (seen.has(id)) continue;
        seen.add(id);
        if (sends.has(id)) rows.push({ split: split.id, arm: arm.name, node: id });
        for (const next of out.get(id) ?? []) if (next !== split.id) stack.push(next);
      }
    }
  }
  return rows;
}
