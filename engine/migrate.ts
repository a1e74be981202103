import type { CompiledJourney } from "./compile/compile.ts";
import { own } from "./shared/own.ts";
import type { EnrollmentSnapshot } from "./snapshot.ts";

/**
 * Moving an in-flight enrollment to a newly published version (the `migrate` policy). A user
 * at a node that still exists stays there with its wait untouched; a user mapped to another
 * node enters it fresh (its own wait starts now); a user whose node was removed and not mapped
 * leaves. Sends, visits and conversion carry over, so idempotency keys of sends already made
 * are never reused and a goal is not counted twice.
 */
export type Migration =
  | { kind: "stay"; snapshot: EnrollmentSnapshot }
  | { kind: "move"; snapshot: EnrollmentSnapshot; to: string }
  | { kind: "exit"; reason: "removed_in_new_version" };

/** Where `node` goes: the map's answer (null = exit), else the same id if it still exists. */
export function migrationTarget(
  node: string,
  map: Readonly<Record<string, string | null>>,
  next: CompiledJourney,
): string | null {
  if (Object.hasOwn(map, node)) {
    const to = map[node] ?? null;
    return to !== null && next.nodes.has(to) ? to : null;
  }
  return next.nodes.has(node) ? node : null;
}

export function migrateSnapshot(
  snapshot: EnrollmentSnapshot,
  next: CompiledJourney,
  map: Readonly<Record<string, string | null>>,
  now: number,
): Migration {
  const from = snapshot.context.node;
  const to = migrationTarget(from, map, next);
  if (to === null) return { kind: "exit", reason: "removed_in_new_version" };
  if (to === from) {
    return { kind: "stay", snapshot: { ...snapshot, versionId: next.versionId } };
  }
  const visits = { ...snapshot.context.visits, [to]: (own(snapshot.context.visits, to) ?? 0) + 1 };
  const { logged: _logged, ...context } = snapshot.context;
  return {
    kind: "move",
    to,
    snapshot: {
      ...snapshot,
      versionId: next.versionId,
      state: to,
      context: { ...context, node: to, at: now, wakeAt: null, visits },
    },
  };
}
