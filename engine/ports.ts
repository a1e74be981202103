import type { ContactView, JourneyEvent } from "./contact.ts";
import type { Effect } from "./effects.ts";
import type { Policy } from "./rules/index.ts";
import type { EnrollmentSnapshot, EnrollmentStatus } from "./snapshot.ts";

/** Workspace policy plus per-locale opt-out line overrides ("zh" → "拒收请回复R"). */
export type AdvancePolicy = Policy & { optOutLines?: Record<string, string> };

export type AdvanceInput = {
  /** The virtual or real clock, epoch ms. The engine never reads the wall clock. */
  now: number;
  /** The event that woke the enrollment (or, with a null snapshot, the trigger event). */
  event?: JourneyEvent;
  contact: ContactView;
  policy: AdvancePolicy;
  /**
   * Only on entry (null snapshot): the runtime's enrollment id. Defaults to
   * `${contactId}:${journeyId}:${now in base 36}`, unique per contact and entry time.
   */
  enrollmentKey?: string;
};

/** Everything non-deterministic or external the engine may consult, passed in. */
export type EnginePorts = {
  /** Uniform [0, 1). Not used for splits (those hash the contact id so arms are stable). */
  random: () => number;
  /** Rewrites a URL into a tracked short link (the template `track` filter). */
  trackLink?: (url: string) => string;
  /** The contact's most active local hour (0-23) from past events, or null without data. */
  bestHour?: (contact: ContactView) => number | null;
};

export type AdvanceResult = {
  snapshot: EnrollmentSnapshot;
  status: EnrollmentStatus;
  /** Current node, or the node the enrollment ended on. */
  nodeId: string;
  /** When the ticker must call again; null = only an event (or nothing, once ended) moves it. */
  wakeAt: number | null;
  effects: Effect[];
  /** Event names that should wake this enrollment now; empty once ended. */
  waitsFor: string[];
  /**
   * The contact view after this call's effects (engine/contact-update.ts): a new object when
   * anything changed, sharing unchanged lists with the input's.
   */
  contact: ContactView;
};
