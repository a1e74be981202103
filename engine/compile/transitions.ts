import type { AnyActorScope } from "xstate";
import { EMPTY, type JourneyMachine, type MachineEvent } from "./machine.ts";

/** Where the machine is: its state value (a node id, `$completed`, `$exited`) and whether final. */
export type MachineState = { readonly value: string; readonly done: boolean };

/**
 * The machine's moves, each asked of XState once per compiled version and then remembered.
 *
 * Why: the ticker makes two or three moves per user step, and each was a `resolveState` plus a
 * `machine.transition` (~3.5 µs together, and the snapshots they allocate) — about a third of
 * the engine's time per step in bench/ticker. A move's answer depends on the state value and
 * the event type only: buildMachine's machines have no guards, no actions and no
 * context-dependent targets, so remembering the answer cannot change it
 * (tests/engine/transitions.test.ts compares every pair of the example journeys with
 * xstate's own `transition()`). XState stays the one that decides each move; an unknown state
 * value still fails the way `resolveState` fails.
 */
export class MachineMoves {
  readonly #machine: JourneyMachine;
  readonly #scope: AnyActorScope;
  readonly #moves = new Map<string, Map<string, MachineState>>();
  readonly #states = new Map<string, MachineState>();
  #initial: MachineState | undefined;

  constructor(machine: JourneyMachine, scope: AnyActorScope) {
    this.#machine = machine;
    this.#scope = scope;
  }

  initial(): MachineState {
    if (this.#initial === undefined) {
      const x = this.#machine.getInitialSnapshot(this.#scope, EMPTY);
      this.#initial = { value: x.value as string, done: x.status === "done" };
    }
    return this.#initial;
  }

  next(from: string, event: MachineEvent): MachineState {
    let byEvent = this.#moves.get(from);
    if (byEvent === undefined) {
      byEvent = new Map();
      this.#moves.set(from, byEvent);
    }
    let to = byEvent.get(event.type);
    if (to === undefined) {
      const x = this.#machine.resolveState({ value: from, context: EMPTY });
      const y = this.#machine.transition(x, event, this.#scope);
      to = { value: y.value as string, done: y.status === "done" };
      byEvent.set(event.type, to);
    }
    return to;
  }

  /** A restored state value, checked (`resolveState` throws on an unknown one). */
  state(value: string): MachineState {
    let state = this.#states.get(value);
    if (state === undefined) {
      const x = this.#machine.resolveState({ value, context: EMPTY });
      state = { value: x.value as string, done: x.status === "done" };
      this.#states.set(value, state);
    }
    return state;
  }
}
