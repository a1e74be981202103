import { setup } from "xstate";
import type { Journey } from "../format/journey.ts";
import { definitionOf } from "../nodes/registry.ts";
import { withKey } from "../shared/copy.ts";
import { own } from "../shared/own.ts";
import type { EnrollmentContext } from "../snapshot.ts";
import { triggerOf } from "../triggers.ts";

/** Synthetic final states: an enrollment that ran off the end of a path, or was exited. */
export const COMPLETED = "$completed";
export const EXITED = "$exited";

/**
 * Events the engine sends its own machine. `go.<path>` follows an out-edge (`go.` for the
 * single unlabeled one); `end.exited` / `end.completed` leave the graph from anywhere.
 */
export type MachineEvent = { type: `go.${string}` } | { type: "end.exited" | "end.completed" };

/**
 * Context for `createActor`/`getInitialSnapshot` without input, and for the moves asked of the
 * machine (transitions.ts): no machine reads its context, but XState builds snapshots with one.
 */
export const EMPTY: EnrollmentContext = {
  key: "",
  contactId: "",
  enteredAt: 0,
  node: "",
  at: 0,
  wakeAt: null,
  visits: {},
  sends: {},
};

/** Edge key: "" for a node's single unlabeled out-edge. */
export function goEvent(path: string | undefined): `go.${string}` {
  return `go.${path ?? ""}`;
}

/**
 * One XState state per journey node, one transition per edge. No `after` timers (not
 * persisted, statelyai/xstate#5331), no invoked actors and no actions: node behaviour runs in
 * engine/nodes and the context is the engine's (`enterNode`), so XState owns the topology —
 * which transition an event takes, which states are final — and the snapshot it restores.
 *
 * Why no `assign`: measured here, an assign action doubled the cost of a transition, and
 * nothing in the machine reads the context. The
 * snapshot the engine persists is `{ state: snapshot.value, context }`, restored with
 * `machine.resolveState`, so XState's context and the engine's agree at every call boundary.
 */
export function buildMachine(journey: Journey) {
  const states: Record<string, unknown> = {};
  for (const node of journey.nodes) {
    const out = definitionOf(node).outPaths(node);
    if (out.kind === "none") {
      states[node.id] = { type: "final" };
      continue;
    }
    const on: Record<string, unknown> = {};
    const names = out.kind === "one" ? [""] : out.names;
    for (const name of names) {
      const edge = journey.edges.find((e) => e.from === node.id && (e.path ?? "") === name);
      // A missing edge (dead end, or an invalid journey compiled anyway) completes the enrollment.
      const target = edge?.to ?? COMPLETED;
      on[`go.${name}`] = target;
    }
    states[node.id] = { on };
  }
  states[COMPLETED] = { type: "final" };
  states[EXITED] = { type: "final" };
  const trigger = triggerOf(journey);

  return setup({
    types: {
      context: {} as EnrollmentContext,
      events: {} as MachineEvent,
      input: {} as EnrollmentContext | undefined,
    },
  }).createMachine({
    id: journey.id,
    initial: trigger?.id ?? COMPLETED,
    context: ({ input }) => input ?? EMPTY,
    states: states as never,
    on: {
      "end.exited": `.${EXITED}`,
      "end.completed": `.${COMPLETED}`,
    },
  });
}

export type JourneyMachine = ReturnType<typeof buildMachine>;

/**
 * Context on entering `node` at `at`: visit counted (idempotency keys of a loop's second pass
 * differ), node-local fields reset. The synthetic final states keep the last real node.
 */
export function enterNode(c: EnrollmentContext, node: string, at: number): EnrollmentContext {
  if (node === COMPLETED || node === EXITED) {
    if (c.wakeAt === null && c.logged === undefined) return c;
    const { logged: _logged, ...rest } = c;
    return { ...rest, wakeAt: null };
  }
  // Built field by field (no `delete`, which would turn the object into a slow dictionary).
  const next: EnrollmentContext = {
    key: c.key,
    contactId: c.contactId,
    enteredAt: c.enteredAt,
    node,
    at,
    wakeAt: null,
    visits: withKey(c.visits, node, (own(c.visits, node) ?? 0) + 1),
    sends: c.sends,
  };
  if (c.lastSend !== undefined) next.lastSend = c.lastSend;
  if (c.trigger !== undefined) next.trigger = c.trigger;
  if (c.convertedAt !== undefined) next.convertedAt = c.convertedAt;
  return next;
}
