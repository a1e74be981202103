import { advance } from "./advance.ts";
import type { CompiledJourney } from "./compile/compile.ts";
import type { ContactView, JourneyEvent } from "./contact.ts";
import type { Effect } from "./effects.ts";
import { noteEngagement } from "./engagement.ts";
import type { AdvancePolicy, AdvanceResult, EnginePorts } from "./ports.ts";
import type { EnrollmentSnapshot } from "./snapshot.ts";

/** A contact's event as the store numbers it: ids grow in arrival order. */
export type PendingEvent = JourneyEvent & { id: number };

export type StepInput = {
  /** Null: the enrollment enters now, on `entryEvent` if it has one. */
  snapshot: EnrollmentSnapshot | null;
  /** The trigger event (entry only); it starts the enrollment and answers nothing downstream. */
  entryEvent?: JourneyEvent;
  /** What the enrollment listened to after its last step (ignored on entry). */
  waitsFor: readonly string[];
  /** Id of the last event this enrollment has seen. */
  cursor: number;
  /** The contact's events in id order; those at or below `cursor` are skipped. */
  pending: readonly PendingEvent[];
  contact: ContactView;
  policy: AdvancePolicy;
  now: number;
  /** Only on entry: the runtime's enrollment id (AdvanceInput.enrollmentKey). */
  enrollmentKey?: string;
};

/** One `advance` call: the event it was fed (null for entry or a wake-up) and its effects. */
export type StepPass = { cause: PendingEvent | null; effects: Effect[] };

export type StepOutput = {
  /** The last pass's result: snapshot, status, node, wake-up and what it listens to now. */
  result: AdvanceResult;
  passes: StepPass[];
  /** The new cursor: the last pending event looked at. */
  cursor: number;
  /** The contact view after every pass, for the contact's next enrollment or journey. */
  contact: ContactView;
};

/**
 * One enrollment's turn, the only place that decides how pending events reach a journey: enter
 * (a null snapshot), then feed each event past the cursor that the enrollment listens to, one
 * `advance` per event, stopping once it has ended; with nothing fed, a wake-up `advance` at
 * `now`. Open and click events mark the contact's send opened (engagement.ts) whether or not
 * the enrollment listens. The ticker (server/runtime/step-batch.ts) and the simulator
 * (simulate/simulate.ts) both call this and nothing else, so they cannot drift.
 *
 * Pure: the same input and ports give the same output.
 */
export function step(compiled: CompiledJourney, input: StepInput, ports: EnginePorts): StepOutput {
  const { policy, now } = input;
  const passes: StepPass[] = [];
  let contact = input.contact;
  let snapshot = input.snapshot;
  let cursor = input.cursor;
  let result: AdvanceResult | null = null;

  if (snapshot === null) {
    const entry = {
      now,
      contact,
      policy,
      ...(input.enrollmentKey === undefined ? {} : { enrollmentKey: input.enrollmentKey }),
      ...(input.entryEvent ? { event: input.entryEvent } : {}),
    };
    result = advance(compiled, null, entry, ports);
    passes.push({ cause: null, effects: result.effects });
    contact = result.contact;
    snapshot = result.snapshot;
  }
  let fed = false;
  for (const ev of input.pending) {
    if (ev.id <= cursor) continue;
    cursor = ev.id;
    if (result && result.status !== "active") break;
    contact = noteEngagement(contact, ev);
    const listening = result ? result.waitsFor : input.waitsFor;
    if (!listening.includes(ev.name)) continue;
    fed = true;
    const event: JourneyEvent = { name: ev.name, at: ev.at, properties: ev.properties ?? {} };
    if (ev.messageId) event.messageId = ev.messageId;
    result = advance(compiled, snapshot, { now, contact, policy, event }, ports);
    passes.push({ cause: ev, effects: result.effects });
    contact = result.contact;
    snapshot = result.snapshot;
  }
  if (!fed && input.snapshot !== null) {
    result = advance(compiled, snapshot, { now, contact, policy }, ports);
    passes.push({ cause: null, effects: result.effects });
    contact = result.contact;
  }
  // Unreachable: entry, a fed event or the wake-up always ran; kept for the type.
  if (result === null) throw new Error("step ran no advance");
  return { result, passes, cursor, contact };
}
