import type { CompiledJourney } from "./compile/compile.ts";
import { COMPLETED, EXITED, enterNode, goEvent } from "./compile/machine.ts";
import type { MachineState } from "./compile/transitions.ts";
import type { ContactView, JourneyEvent } from "./contact.ts";
import { noteEffect } from "./contact-update.ts";
import type { Effect } from "./effects.ts";
import { readEvent } from "./events.ts";
import { definitionOf } from "./nodes/registry.ts";
import type { TriggerNode } from "./nodes/trigger.ts";
import type { StepContext } from "./nodes/types.ts";
import type { AdvanceInput, AdvanceResult, EnginePorts } from "./ports.ts";
import { copyOf, withKey } from "./shared/copy.ts";
import { own } from "./shared/own.ts";
import type { EnrollmentContext, EnrollmentSnapshot, EnrollmentStatus } from "./snapshot.ts";
import { isValidZone, resolveZone } from "./time/index.ts";
import { log } from "./timeline.ts";

/**
 * Steps one call may take before giving up. Validation rejects cycles without a wait, so only
 * an invalid journey compiled anyway can get here; it ends with `loop_guard` instead of
 * hanging the ticker.
 */
const MAX_STEPS = 1_000;

function enteredDetail(trigger: TriggerNode, event: JourneyEvent | undefined): string {
  const t = trigger.trigger;
  switch (t.kind) {
    case "event":
      return `entered on ${event?.name ?? t.event}`;
    case "api":
      return "entered via API";
    case "audience":
      return `entered audience ${t.audience}`;
    case "date_attribute": {
      const n = Math.abs(t.offsetDays);
      const rel =
        t.offsetDays === 0
          ? "on"
          : `${n} day${n === 1 ? "" : "s"} ${t.offsetDays < 0 ? "before" : "after"}`;
      return `entered ${rel} ${t.attribute}`;
    }
    default:
      return "entered";
  }
}

const EXIT = { type: "end.exited" } as const;

function statusOf(m: MachineState): EnrollmentStatus {
  if (m.value === EXITED) return "exited";
  return m.done ? "completed" : "active";
}

/**
 * Runs one enrollment forward as far as it can at `input.now`: through sends, branches,
 * splits and cooldowns, until a wait, an event wait, a deferral or the end. The only
 * implementation of journey semantics: the ticker and the simulator both call it.
 *
 * `snapshot` null enters the journey (`input.event` is then the trigger event). Pure: no
 * I/O, no clock; the same arguments always give the same result, so a step retried after a
 * failed commit reproduces the same idempotency keys.
 */
export function advance(
  compiled: CompiledJourney,
  snapshot: EnrollmentSnapshot | null,
  input: AdvanceInput,
  ports: EnginePorts,
): AdvanceResult {
  const { journey, moves } = compiled;
  const now = input.now;
  const effects: Effect[] = [];
  // Copy-on-append view of the contact: sends and opt-outs made earlier in this call must be
  // seen by later decisions (caps, opt-out), without mutating the caller's object.
  const contact: ContactView = copyOf(input.contact);
  // Same fallback as decide(): a bad workspace zone must not stop every enrollment.
  const workspaceZone = isValidZone(input.policy.workspaceTimezone)
    ? input.policy.workspaceTimezone
    : "UTC";
  const zone = resolveZone(contact, workspaceZone).zone;
  let event: JourneyEvent | null = input.event ?? null;
  let m: MachineState;
  let ctx: EnrollmentContext;

  if (snapshot === null) {
    const trigger = compiled.trigger;
    if (!trigger) throw new Error(`journey ${journey.id} has no trigger node`);
    const context: EnrollmentContext = {
      key: input.enrollmentKey ?? `${contact.id}:${journey.id}:${now.toString(36)}`,
      contactId: contact.id,
      enteredAt: now,
      node: trigger.id,
      at: now,
      wakeAt: null,
      visits: { [trigger.id]: 1 },
      sends: {},
    };
    if (event) {
      context.trigger = { name: event.name, at: event.at };
      if (event.properties) context.trigger.properties = event.properties;
    }
    m = moves.initial();
    ctx = context;
    effects.push(
      log({
        type: "entered",
        at: now,
        nodeId: trigger.id,
        detail: enteredDetail(trigger, input.event),
      }),
    );
    // The trigger event started the enrollment; it must not also answer a branch downstream.
    event = null;
  } else {
    if (snapshot.versionId !== compiled.versionId) {
      throw new Error(
        `snapshot is for version ${snapshot.versionId}, compiled journey is ${compiled.versionId}`,
      );
    }
    m = moves.state(snapshot.state);
    ctx = snapshot.context;
    if (snapshot.status !== "active") return finish(compiled, m, ctx, effects, [], contact);
  }

  if (event) {
    const read = readEvent(compiled, ctx, contact, event, zone, now);
    ctx = read.context;
    for (const e of read.effects) {
      effects.push(e);
      noteEffect(contact, e, journey.id);
    }
    if (read.exit) {
      m = moves.next(m.value, EXIT);
      return finish(compiled, m, enterNode(ctx, EXITED, now), effects, [], contact);
    }
  }

  const stepCtx: StepContext = {
    now,
    journey,
    enrollment: ctx,
    contact,
    policy: input.policy,
    ports,
    zone,
    event,
  };
  let waitsFor: readonly string[] = [];

  for (let steps = 0; ; steps++) {
    const state = m.value;
    const node = compiled.nodes.get(state);
    if (!node) break; // $completed / $exited
    if (steps >= MAX_STEPS) {
      effects.push(
        log({
          type: "exited",
          at: now,
          nodeId: state,
          reason: "loop_guard",
          detail: `stopped after ${MAX_STEPS} steps in one call`,
        }),
      );
      effects.push({ type: "exited", reason: "loop_guard", at: now });
      m = moves.next(m.value, EXIT);
      ctx = enterNode(ctx, EXITED, now);
      break;
    }
    stepCtx.enrollment = ctx;
    stepCtx.event = event;
    const r = definitionOf(node).step(node, stepCtx);
    if (r.effects) ctx = apply(r.effects, ctx, contact, effects, journey.id);
    if (r.kind === "hold") {
      ctx = Object.assign({}, ctx, { wakeAt: r.wakeAt, logged: true as const });
      waitsFor = r.waitsFor ?? [];
      break;
    }
    if (r.kind === "end") {
      effects.push({ type: "exited", reason: r.reason, at: now });
      // An exit node is a final state already; other endings leave through $exited.
      if (r.status === "exited") {
        m = moves.next(m.value, EXIT);
        ctx = enterNode(ctx, EXITED, now);
      }
      break;
    }
    if (r.consumedEvent) event = null;
    m = moves.next(m.value, { type: goEvent(r.path) });
    ctx = enterNode(ctx, m.value, now);
    if (m.value === COMPLETED) {
      const detail = `end of path after ${state}`;
      effects.push(log({ type: "exited", at: now, nodeId: state, reason: "end_of_path", detail }));
      effects.push({ type: "exited", reason: "end_of_path", at: now });
    }
  }
  return finish(compiled, m, ctx, effects, waitsFor, contact);
}

/** Applies a step's effects to the enrollment and the contact view, and collects them. */
function apply(
  stepEffects: readonly Effect[],
  ctx: EnrollmentContext,
  contact: ContactView,
  out: Effect[],
  journeyId: string,
): EnrollmentContext {
  let next = ctx;
  for (const e of stepEffects) {
    out.push(e);
    noteEffect(contact, e, journeyId);
    if (e.type === "send") {
      const sends = withKey(next.sends, e.nodeId, {
        at: e.at,
        channel: e.channel,
        key: e.idempotencyKey,
      });
      // Object.assign rather than spread: several times faster (shared/copy.ts).
      next = Object.assign({}, next, { sends, lastSend: e.nodeId });
    }
  }
  return next;
}

function finish(
  compiled: CompiledJourney,
  m: MachineState,
  ctx: EnrollmentContext,
  effects: Effect[],
  nodeWaits: readonly string[],
  contact: ContactView,
): AdvanceResult {
  const status = statusOf(m);
  const state = m.value;
  const snapshot: EnrollmentSnapshot = {
    versionId: compiled.versionId,
    state,
    status,
    context: ctx,
  };
  if (status !== "active") {
    return { snapshot, status, nodeId: ctx.node, wakeAt: null, effects, waitsFor: [], contact };
  }
  return {
    snapshot,
    status,
    nodeId: ctx.node,
    wakeAt: ctx.wakeAt,
    effects,
    waitsFor: listening(compiled, ctx, nodeWaits),
    contact,
  };
}

/** Event names that should reach this enrollment now (the runtime indexes enrollments by them). */
function listening(
  compiled: CompiledJourney,
  ctx: EnrollmentContext,
  nodeWaits: readonly string[],
): string[] {
  const names = new Set<string>(nodeWaits);
  const s = compiled.journey.settings;
  for (const m of s?.exitOn ?? []) names.add(m.event);
  if (s?.goal && ctx.convertedAt === undefined) names.add(s.goal.event);
  let sent = false;
  let sms = false;
  for (const id in ctx.sends) {
    const rec = own(ctx.sends, id);
    if (rec === undefined) continue;
    sent = true;
    if (rec.channel === "sms") sms = true;
  }
  if (sent) for (const n of compiled.engagementEvents) names.add(n);
  // A reply to one of our SMS may be an opt-out; the enrollment reports it (optOut effect).
  if (sms) names.add("message.replied");
  return [...names].sort();
}
