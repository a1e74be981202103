import { type CompiledJourney, compileFresh } from "../compile/compile.ts";
import type { ContactView, JourneyEvent } from "../contact.ts";
import type { TimelineEntry } from "../effects.ts";
import type { Journey } from "../format/journey.ts";
import type { AdvancePolicy, AdvanceResult, EnginePorts } from "../ports.ts";
import { DEFAULT_POLICY } from "../rules/index.ts";
import { dict, own } from "../shared/own.ts";
import { mulberry32 } from "../shared/prng.ts";
import { DEFAULT_LINK_SHAPE, type LinkShape, sampleTrackedLink } from "../sms/compose.ts";
import { isOptOutReply } from "../sms/index.ts";
import type { EnrollmentSnapshot, EnrollmentStatus } from "../snapshot.ts";
import { step } from "../step.ts";
import { assertLinkable } from "../template/links.ts";
import { localParts, resolveZone } from "../time/index.ts";
import {
  canReenter,
  type LastEnrollment,
  nextDateTrigger,
  triggerMatches,
  triggerOf,
} from "../triggers.ts";
import { ContactStore, type SimContact } from "./store.ts";

export type SimEvent = JourneyEvent;

export type SimOptions = {
  from: number;
  until: number;
  policy?: AdvancePolicy;
  /**
   * Defaults: a seeded PRNG, tracked links as long as the runtime's (`linkShape`), best hour
   * from the contact's earlier events.
   */
  ports?: Partial<EnginePorts>;
  /** How the runtime mints tracked links; a default install's when absent. */
  linkShape?: LinkShape;
  /** Advance calls before the run is declared stuck. Default 10,000. */
  maxSteps?: number;
};

export type SimFinal = { status: EnrollmentStatus | "not_entered"; nodeId: string | null };
export type SimIssue = { code: "stuck"; message: string; at: number; journeyId: string };
export type SimEntry = TimelineEntry & { journeyId: string };

export type SimulationResult = {
  timeline: TimelineEntry[];
  final: SimFinal;
  issues: SimIssue[];
};

export type MultiSimulationResult = {
  timeline: SimEntry[];
  finals: Record<string, SimFinal>;
  issues: SimIssue[];
  /** The contact's history at the end (sends, cooldowns, opt-outs), as the store holds it. */
  contact: ContactView;
};

type Track = {
  compiled: CompiledJourney;
  snapshot: EnrollmentSnapshot | null;
  wakeAt: number | null;
  waitsFor: readonly string[];
  /** Id (1-based position in time order) of the last event this enrollment has seen. */
  cursor: number;
  last: LastEnrollment | null;
  nextDate: number | null;
  /** api/audience triggers: entered once at `from`. */
  enterAtStart: boolean;
  entries: number;
};

/** The local hour the contact was most often active in, from events before `now`. */
function bestHourFrom(events: readonly SimEvent[], workspaceZone: string) {
  return (contact: ContactView, now: number): number | null => {
    const zone = resolveZone(contact, workspaceZone).zone;
    const counts = new Map<number, number>();
    for (const e of events) {
      if (e.at >= now || e.name.startsWith("message.")) continue;
      const h = localParts(e.at, zone).hour;
      counts.set(h, (counts.get(h) ?? 0) + 1);
    }
    let best: number | null = null;
    let most = 0;
    for (const [h, n] of [...counts].sort((a, b) => a[0] - b[0])) {
      if (n > most) {
        best = h;
        most = n;
      }
    }
    return best;
  };
}

/** One journey, one contact: the timeline the CLI prints. */
export function simulate(
  journey: Journey,
  contact: SimContact,
  events: readonly SimEvent[],
  options: SimOptions,
): SimulationResult {
  const r = simulateMany([journey], contact, events, options);
  return {
    timeline: r.timeline.map(({ journeyId: _j, ...entry }) => entry as TimelineEntry),
    final: own(r.finals, journey.id) ?? { status: "not_entered", nodeId: null },
    issues: r.issues,
  };
}

/**
 * Several journeys sharing one contact history (caps, cooldowns and opt-outs are per contact,
 * across journeys). Drives `advance` — the ticker's own step — with a virtual clock: due
 * wake-ups first, then the next event, in time order; journeys in the order given.
 * Deterministic, and bounded: more than `maxSteps` calls, or a journey woken repeatedly at one
 * instant without progress, ends the run with a `stuck` issue instead of looping.
 */
export function simulateMany(
  journeys: readonly Journey[],
  simContact: SimContact,
  events: readonly SimEvent[],
  options: SimOptions,
): MultiSimulationResult {
  const policy = options.policy ?? DEFAULT_POLICY;
  const store = new ContactStore(simContact);
  const sorted = events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].at - b[0].at || a[1] - b[1])
    .map(([e]) => e);
  const best = bestHourFrom(sorted, policy.workspaceTimezone);
  let clock = options.from;
  const ports: EnginePorts = {
    random: options.ports?.random ?? mulberry32(1),
    bestHour: options.ports?.bestHour ?? ((c) => best(c, clock)),
  };
  // A tracked link as long as the one the ticker will mint, so a simulated SMS counts the parts
  // the real one will (it was the raw URL: shorter or longer than what is sent).
  const sampleLink = sampleTrackedLink(options.linkShape ?? DEFAULT_LINK_SHAPE);
  // The runtime's minter refuses a target that is not http(s) (the send is suppressed,
  // template_error); so does the simulator, for the same contact data.
  ports.trackLink =
    options.ports?.trackLink ??
    ((url) => {
      assertLinkable(url);
      return sampleLink;
    });
  const timeline: SimEntry[] = [];
  const issues: SimIssue[] = [];
  const maxSteps = options.maxSteps ?? 10_000;

  const tracks: Track[] = journeys.map((journey, i) => {
    const triggerKind = triggerOf(journey)?.trigger.kind ?? null;
    return {
      compiled: compileFresh({ versionId: `${journey.id}@sim${i}`, journey }),
      snapshot: null,
      wakeAt: null,
      waitsFor: [],
      cursor: 0,
      last: null,
      nextDate:
        triggerKind === "date_attribute"
          ? nextDateTrigger(journey, store.view(), options.from - 1, policy.workspaceTimezone)
          : null,
      enterAtStart: triggerKind === "api" || triggerKind === "audience",
      entries: 0,
    };
  });

  const active = (t: Track) => t.snapshot !== null && t.snapshot.status === "active";

  /**
   * One step of one track at `now`: entry (on `event`, the trigger), the pending `event` it
   * listens to, or a wake-up — engine/step.ts decides which, as it does for the ticker.
   */
  const run = (t: Track, now: number, event: (SimEvent & { id: number }) | undefined) => {
    const entering = !active(t);
    const r = step(
      t.compiled,
      {
        snapshot: entering ? null : t.snapshot,
        ...(entering && event ? { entryEvent: event } : {}),
        waitsFor: t.waitsFor,
        cursor: t.cursor,
        pending: !entering && event ? [event] : [],
        contact: store.view(),
        policy,
        now,
      },
      ports,
    );
    const journeyId = t.compiled.journey.id;
    store.replace(r.contact);
    for (const pass of r.passes) {
      for (const e of pass.effects) if (e.type === "log") timeline.push({ ...e.entry, journeyId });
    }
    if (entering) {
      t.entries++;
      t.last = { enteredAt: now, endedAt: null };
    }
    const result: AdvanceResult = r.result;
    t.cursor = event ? event.id : r.cursor;
    t.snapshot = result.snapshot;
    t.wakeAt = result.wakeAt;
    t.waitsFor = result.waitsFor;
    if (result.status !== "active" && t.last) t.last = { ...t.last, endedAt: now };
    return r;
  };

  let steps = 0;
  let eventIndex = 0;
  // Skip history: events before `from` only inform best hour.
  while (eventIndex < sorted.length && (sorted[eventIndex]?.at ?? 0) < options.from) eventIndex++;
  const sameInstant = new Map<Track, number>();
  let lastInstant = Number.NaN;

  for (;;) {
    let due: Track | null = null;
    let dueAt = Number.POSITIVE_INFINITY;
    let dueKind: "wake" | "date" | "start" = "wake";
    for (const t of tracks) {
      if (t.enterAtStart && t.entries === 0 && options.from < dueAt) {
        due = t;
        dueAt = options.from;
        dueKind = "start";
      }
      if (active(t) && t.wakeAt !== null && t.wakeAt < dueAt) {
        due = t;
        dueAt = t.wakeAt;
        dueKind = "wake";
      }
      if (!active(t) && t.nextDate !== null && t.nextDate < dueAt) {
        due = t;
        dueAt = t.nextDate;
        dueKind = "date";
      }
    }
    const event = sorted[eventIndex];
    const next = Math.min(dueAt, event?.at ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(next) || next > options.until) break;
    clock = Math.max(clock, next);
    if (++steps > maxSteps) {
      issues.push({
        code: "stuck",
        message: `more than ${maxSteps} steps; stopped`,
        at: clock,
        journeyId: due?.compiled.journey.id ?? "",
      });
      break;
    }

    if (due && dueAt <= (event?.at ?? Number.POSITIVE_INFINITY)) {
      if (clock !== lastInstant) {
        sameInstant.clear();
        lastInstant = clock;
      }
      const n = (sameInstant.get(due) ?? 0) + 1;
      sameInstant.set(due, n);
      if (n > 100) {
        issues.push({
          code: "stuck",
          message: `woken 100 times at one instant without progress`,
          at: clock,
          journeyId: due.compiled.journey.id,
        });
        break;
      }
      if (dueKind === "date") {
        const journey = due.compiled.journey;
        due.nextDate = nextDateTrigger(journey, store.view(), dueAt, policy.workspaceTimezone);
        if (canReenter(journey, due.last, clock)) run(due, clock, undefined);
      } else {
        run(due, clock, undefined);
      }
      continue;
    }

    // The next event (due wake-ups at the same instant went first).
    if (!event) break;
    eventIndex++;
    const pending = { ...event, id: eventIndex };
    store.recordEngagement(event);
    let optedOut = false;
    for (const t of tracks) {
      if (active(t) && t.waitsFor.includes(event.name)) {
        const r = run(t, clock, pending);
        if (r.passes.some((p) => p.effects.some((e) => e.type === "optOut"))) optedOut = true;
      }
    }
    // The runtime records an opt-out at ingest even when no enrollment was listening.
    const body = event.properties?.body;
    if (
      !optedOut &&
      event.name === "message.replied" &&
      typeof body === "string" &&
      isOptOutReply(body)
    ) {
      store.optOut(clock, body.trim());
    }
    for (const t of tracks) {
      if (active(t) || !triggerMatches(t.compiled.journey, event)) continue;
      if (canReenter(t.compiled.journey, t.last, clock)) run(t, clock, pending);
    }
  }

  const finals = dict<SimFinal>();
  for (const t of tracks) {
    finals[t.compiled.journey.id] = t.snapshot
      ? { status: t.snapshot.status, nodeId: t.snapshot.context.node }
      : { status: "not_entered", nodeId: null };
  }
  return { timeline, finals, issues, contact: store.view() };
}
