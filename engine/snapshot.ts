import type { Channel } from "./shared/channels.ts";

/**
 * Terminology
 * - enrollment: one contact's pass through one journey version, from trigger to exit.
 * - enrollment key: stable id of an enrollment; prefix of every idempotency key it produces.
 * - visit: how many times the enrollment has entered a node (loops re-enter); a send's
 *   idempotency key is `${key}:${nodeId}:${visit}` so a retried step never sends twice and a
 *   deliberate loop does.
 * - wake-up: `wakeAt`, the instant the ticker must call `advance` again. Waits are data, not
 *   XState `after` timers, because those are not persisted (statelyai/xstate#5331).
 */

/** What this enrollment sent from one node, and what came back about it. */
export type SendRecord = {
  at: number;
  channel: Channel;
  key: string;
  /** First `message.delivered` time. */
  delivered?: number;
  /** First `message.opened` time (email/push read receipts). */
  opened?: number;
  /** First `message.clicked` time; for SMS this is what "opened" means. */
  clicked?: number;
};

/**
 * XState machine context. Plain JSON, kept small: it is stored for every enrollment and parsed
 * on every tick (bench/engine measures its size). Node-local state lives in `at`/`wakeAt`/
 * `logged` and is reset on every transition.
 */
export type EnrollmentContext = {
  key: string;
  contactId: string;
  enteredAt: number;
  /** Current node (also the last real node once the enrollment ended). */
  node: string;
  /** When the current node was entered: branch windows start here. */
  at: number;
  wakeAt: number | null;
  /** The `waiting` / `deferred` line for this visit was already logged. */
  logged?: true;
  visits: Record<string, number>;
  sends: Record<string, SendRecord>;
  /** Node id of the most recent send: a click without `properties.nodeId` is about it. */
  lastSend?: string;
  /** Trigger event, for templates (`event.*`). */
  trigger?: { name: string; at: number; properties?: Record<string, unknown> };
  convertedAt?: number;
};

export type EnrollmentStatus = "active" | "completed" | "exited";

/**
 * The persisted form. `state` is the XState state value (a node id, or `$completed` /
 * `$exited` once over); restore with `machine.resolveState({ value: state, context })`.
 */
export type EnrollmentSnapshot = {
  versionId: string;
  state: string;
  status: EnrollmentStatus;
  context: EnrollmentContext;
};
