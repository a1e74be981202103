import type { CompiledJourney } from "./compile/compile.ts";
import type { ContactView, JourneyEvent } from "./contact.ts";
import type { Effect } from "./effects.ts";
import { matchesEvent } from "./match.ts";
import { own } from "./shared/own.ts";
import { isOptOutReply } from "./sms/index.ts";
import type { EnrollmentContext, SendRecord } from "./snapshot.ts";
import { addDuration } from "./time/index.ts";
import { log } from "./timeline.ts";

export type EventReading = {
  context: EnrollmentContext;
  /** An `optOut` among them reaches the contact view through advance (contact-update.ts). */
  effects: Effect[];
  /** An exitOn event: the enrollment ends now. */
  exit: boolean;
};

// A Map: event names come from the track API, and `constructor` must not read Object's.
const ENGAGEMENT = new Map<string, "delivered" | "opened" | "clicked">([
  ["message.delivered", "delivered"],
  ["message.opened", "opened"],
  ["message.clicked", "clicked"],
]);

/**
 * The send a message event is about: `properties.nodeId` (when `properties.journeyId`, if
 * present, is this journey), else the send whose idempotency key is `messageId`, else this
 * enrollment's latest send. Null if it is not ours.
 */
function sendFor(ctx: EnrollmentContext, event: JourneyEvent, journeyId: string): string | null {
  // Two journeys may both have a node "sms1": an event naming another journey is not ours.
  const journey = event.properties?.journeyId;
  if (typeof journey === "string" && journey !== journeyId) return null;
  const named = event.properties?.nodeId;
  if (typeof named === "string") return Object.hasOwn(ctx.sends, named) ? named : null;
  if (event.messageId !== undefined) {
    for (const id of Object.keys(ctx.sends))
      if (own(ctx.sends, id)?.key === event.messageId) return id;
    return null;
  }
  return ctx.lastSend ?? null;
}

/**
 * Reads the event that woke an enrollment, before any node runs: engagement on our sends,
 * opt-out replies, the conversion goal and exitOn. Node-specific reactions (an event branch
 * taking `yes`) happen afterwards, in the node's step.
 */
export function readEvent(
  compiled: CompiledJourney,
  context: EnrollmentContext,
  contact: ContactView,
  event: JourneyEvent,
  zone: string,
  now: number,
): EventReading {
  let ctx = context;
  const effects: Effect[] = [];
  const settings = compiled.journey.settings;

  const signal = ENGAGEMENT.get(event.name);
  if (signal) {
    const nodeId = sendFor(ctx, event, compiled.journey.id);
    const rec = nodeId === null ? undefined : own(ctx.sends, nodeId);
    // First signal wins; a signal older than the send is about an earlier visit.
    if (nodeId !== null && rec && rec[signal] === undefined && event.at >= rec.at) {
      const updated: SendRecord = { ...rec, [signal]: event.at };
      ctx = { ...ctx, sends: { ...ctx.sends, [nodeId]: updated } };
    }
  }

  if (event.name === "message.replied") {
    const body = event.properties?.body;
    if (typeof body === "string" && isOptOutReply(body)) {
      const already = contact.optOuts.some(
        (o) => o.channel === "*" && o.category === "*" && o.at <= now,
      );
      if (!already) {
        effects.push({
          type: "optOut",
          channel: "*",
          category: "*",
          at: now,
          keyword: body.trim(),
        });
      }
    }
  }

  const goal = settings?.goal;
  // The goal is judged by when the event happened, not when it was read: a purchase inside the
  // window that arrives late (an offline device's batch) still converts, and a send queued
  // after the purchase gets no credit for it.
  if (goal && ctx.convertedAt === undefined && matchesEvent(goal, event)) {
    if (event.at <= addDuration(ctx.enteredAt, goal.within, zone)) {
      ctx = { ...ctx, convertedAt: event.at };
      // Last-touch attribution: the enrollment's most recent send before the event gets it.
      const last = ctx.lastSend === undefined ? undefined : own(ctx.sends, ctx.lastSend);
      const credited =
        ctx.lastSend !== undefined && last !== undefined && last.at <= event.at
          ? { nodeId: ctx.lastSend, idempotencyKey: last.key }
          : undefined;
      effects.push({
        type: "converted",
        event: event.name,
        at: event.at,
        ...(credited ? { attributedTo: credited } : {}),
      });
      effects.push(
        log({
          type: "converted",
          at: now,
          nodeId: ctx.node,
          event: event.name,
          ...(credited ? { sendNodeId: credited.nodeId } : {}),
          detail: `${event.name} within ${goal.within} of entering${credited ? `, after ${credited.nodeId}` : ""}`,
        }),
      );
    }
  }

  const exitOn = settings?.exitOn?.find((m) => matchesEvent(m, event));
  if (exitOn) {
    effects.push(
      log({
        type: "exited",
        at: now,
        nodeId: ctx.node,
        reason: "exit_on",
        detail: `${event.name} arrived (exitOn)`,
      }),
    );
    effects.push({ type: "exited", reason: "exit_on", at: now });
  }
  return { context: ctx, effects, exit: exitOn !== undefined };
}
