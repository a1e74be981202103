import { initialTransition, transition } from "xstate";
import { EMPTY, type JourneyMachine, type MachineEvent } from "./machine.ts";

/** Where the machine is: its state value (a node id, `$completed`, `$exited`) and whether final. */
export type MachineState = { readonly value: string; readonly done: boolean };

/**
 * The machine's moves, each asked of XState once per compiled version and then remembered.
 *
 * Why: the ticker makes two or three moves per user step; asking XState each time (~28 µs
 * through its public `transition()`, which builds a throwaway actor per call) would cost more
 * than the rest of the step. A move's answer depends on the state value and the event type
 * only: buildMachine's machines have no guards, no actions and no context-dependent targets,
 * so remembering the answer cannot change it (tests/engine/transitions.test.ts compares every
 * pair of the example journeys with `transition()`). XState decides each move, through its
 * public API only, once per compiled version; an unknown state value still fails the way
 * `resolveState` fails.
 */
export class MachineMoves {
  readonly #machine: JourneyMachine;
  readonly #moves = new Map<string, Map<string, MachineState>>();
  readonly #states = new Map<string, MachineState>();
  #initial: MachineState | undefined;

  constructor(machine: JourneyMachine) {
    this.#machine = machine;
  }

  initial(): MachineState {
    if (this.#initial === undefined) {
      const [x] = initialTransition(this.#machine, EMPTY);
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
      const [y] = transition(this.#machine, x, event);
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
