import type { CompiledJourney } from "../../engine/compile/compile.ts";
import type { Effect, MessagePayload, TimelineEntry } from "../../engine/effects.ts";
import type { AdvancePolicy, EnginePorts } from "../../engine/ports.ts";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { isOptInReply, isOptOutReply } from "../../engine/sms/index.ts";
import type { EnrollmentSnapshot } from "../../engine/snapshot.ts";
import { type PendingEvent, type StepInput, type StepPass, step } from "../../engine/step.ts";
import { type LinkMinter, linksCarried } from "../delivery/links.ts";
import type { ClaimedEnrollment } from "./sql/claim.ts";
import type { BatchContacts } from "./sql/contact-state.ts";

/** What one batch must write, row sets ready for the set-based statements in sql/write-batch.ts. */
export interface BatchWrites {
  enrollments: {
    id: number;
    snapshot: EnrollmentSnapshot;
    status: string;
    current_node: string;
    waits_for: string[];
    event_cursor: number;
    ended_at: string | null;
    exit_reason: string | null;
  }[];
  /** Active enrollments' next wake-up (ISO, or 'infinity' when only an event moves them). */
  wakeups: { enrollment_id: number; wake_at: string }[];
  finished: number[];
  log: {
    contact_id: number;
    enrollment_id: number;
    journey_id: string;
    version_id: number;
    node_id: string;
    type: string;
    reason: string | null;
    detail: string;
    data: Record<string, unknown>;
    at: string;
  }[];
  messages: {
    idempotency_key: string;
    contact_id: number;
    enrollment_id: number;
    journey_id: string;
    version_id: number;
    node_id: string;
    channel: string;
    category: string;
    body: string;
    encoding: string | null;
    parts: number;
    links: { token: string; url: string }[];
    /** Email: subject, HTML, sender; webhook: the request; as rendered (messages.payload). */
    payload?: MessagePayload | null;
    /** The send's variant (engine/nodes/send-variants.ts); null for a send without variants. */
    variant?: string | null;
    /** SMS: the blind index of the number it goes to (the provider's per-number daily limit). */
    phone_hash?: string | null;
  }[];
  cooldowns: {
    contact_id: number;
    scope: string;
    until: string;
    reason: string;
    /** Whom it holds back; `other_journeys` lets `journey_id`'s own sends pass. */
    applies: string;
    journey_id: string;
    node_id: string;
  }[];
  optOuts: { contactId: number; journeyId: string; keyword: string }[];
  /** Goal conversions credited to a message (last-touch), by its idempotency key. */
  conversions: { contact_id: number; idempotency_key: string; event: string; at: string }[];
  /** Update nodes' writes, in step order: the whole new value (engine/nodes/update.ts). */
  attributes: { contact_id: number; attribute: string; value: string | number | boolean }[];
  /** (journey, node) moves for the realtime layer: -1 where users left, +1 where they are now. */
  moves: { journeyId: string; from: string; to: string }[];
}

export interface StepDeps {
  versions: Map<number, CompiledJourney>;
  contacts: BatchContacts;
  policy: AdvancePolicy;
  now: number;
  random: () => number;
  /**
   * Tracked links (server/delivery/links.ts): the template `track` filter mints through it, and
   * each send keeps the links its text carries. Cleared before each enrollment.
   */
  links: LinkMinter;
}

const NO_EVENTS: readonly PendingEvent[] = [];

/**
 * Runs the engine for a claimed batch. Pure apart from link tokens' randomness: no I/O.
 * Enrollments of one contact run in order against one shared contact view, so a send made by the
 * first counts against the cap when the second decides (caps are shared across journeys).
 */
export function stepBatch(claimed: ClaimedEnrollment[], deps: StepDeps): BatchWrites {
  const out: BatchWrites = {
    enrollments: [],
    wakeups: [],
    finished: [],
    log: [],
    messages: [],
    cooldowns: [],
    optOuts: [],
    conversions: [],
    attributes: [],
    moves: [],
  };
  const iso = isoMemo();
  // One ports object for the batch, pointed at the current row: closures made per row cost an
  // allocation each (and a name definition each under tsx), for every user of every batch.
  const cur: { bestHour: number | null } = { bestHour: null };
  const links = deps.links;
  const ports: EnginePorts = {
    random: deps.random,
    trackLink: links.trackLink,
    bestHour: () => cur.bestHour,
  };
  for (const row of claimed) {
    const compiled = deps.versions.get(row.versionId);
    const contact = deps.contacts.views.get(row.contactId);
    if (!compiled || !contact) continue;
    links.clear();
    cur.bestHour = deps.contacts.bestHours.get(row.contactId) ?? null;
    const input: StepInput = {
      snapshot: row.snapshot,
      waitsFor: row.waitsFor,
      cursor: row.eventCursor,
      pending: deps.contacts.events.get(row.contactId) ?? NO_EVENTS,
      contact,
      policy: deps.policy,
      now: deps.now,
      enrollmentKey: `e${row.id}`,
    };
    if (row.entryEvent) input.entryEvent = row.entryEvent;
    const stepped = step(compiled, input, ports);
    // The contact's next enrollment in this batch decides against these sends and cooldowns.
    deps.contacts.views.set(row.contactId, stepped.contact);
    const phone = deps.contacts.phoneHashes.get(row.contactId);
    const rowStep: RowStep = {
      row,
      out,
      links,
      iso,
      now: deps.now,
      phone: phone ? { hash: phone, sends: deps.contacts.phoneSends.get(phone) } : null,
    };
    for (const pass of stepped.passes) record(rowStep, pass);
    const cursor = stepped.cursor;

    const final = stepped.result;
    const ended = final.status !== "active";
    out.enrollments.push({
      id: row.id,
      snapshot: final.snapshot,
      status: final.status,
      current_node: final.nodeId,
      waits_for: final.waitsFor,
      event_cursor: cursor,
      ended_at: ended ? iso(deps.now) : null,
      exit_reason: ended ? exitReason(final.effects) : null,
    });
    if (ended) out.finished.push(row.id);
    else
      out.wakeups.push({
        enrollment_id: row.id,
        wake_at: final.wakeAt === null ? "infinity" : iso(final.wakeAt),
      });
    if (final.nodeId !== row.currentNode || ended) {
      out.moves.push({
        journeyId: row.journeyId,
        from: row.currentNode,
        to: ended ? `$${final.status}` : final.nodeId,
      });
    }
  }
  return out;
}

interface RowStep {
  row: ClaimedEnrollment;
  out: BatchWrites;
  /** Tracked links minted for this row (its passes' sends pick the ones they carry). */
  links: LinkMinter;
  iso: (ms: number) => string;
  now: number;
  /**
   * The contact's number: its hash goes on the SMS queued to it, and `sends` (loaded when the
   * provider limits sends per number) is the list the views sharing the number read, so the
   * next contact with it in this batch counts this SMS.
   */
  phone: { hash: string; sends: number[] | undefined } | null;
}

/** Collects one `advance` pass's effects into the batch's writes, after the event it was fed. */
function record(s: RowStep, pass: StepPass): void {
  const keys = new Map<string, string>();
  for (const e of pass.effects) if (e.type === "send") keys.set(e.nodeId, e.idempotencyKey);
  const cause = pass.cause;
  if (cause) {
    s.out.log.push(
      logRow(
        s.row,
        { type: "event", at: s.now, nodeId: s.row.currentNode, detail: eventDetail(cause) },
        { event: cause.name, occurredAt: new Date(cause.at).toISOString(), ...replyOf(cause) },
        s.iso,
      ),
    );
  }
  for (const e of pass.effects) applyEffect(e, s, keys);
}

/**
 * What a reply said and did, as data beside the event's name: the console words the line in
 * the operator's language from these (issue #20), the `detail` below keeps the English.
 * Only replies carry it; other events have their name already.
 */
export function replyOf(cause: {
  name: string;
  properties?: Record<string, unknown> | undefined;
}): { reply: string; replyAction: "opt_out" | "opt_in" | null } | Record<string, never> {
  const body = cause.properties?.body;
  if (cause.name !== "message.replied" || typeof body !== "string") return {};
  const text = body.trim().length > 120 ? `${body.trim().slice(0, 119)}…` : body.trim();
  const replyAction = isOptOutReply(body) ? "opt_out" : isOptInReply(body) ? "opt_in" : null;
  return { reply: text, replyAction };
}

/**
 * The timeline's line for an event fed to the engine. A reply says what was replied and what it
 * did (the inbound webhook opts out on a keyword, server/delivery/twilio-routes.ts): support read
 * "received message.replied" without the text and could not tell a STOP from a question.
 */
export function eventDetail(cause: {
  name: string;
  properties?: Record<string, unknown> | undefined;
}): string {
  const reply = replyOf(cause);
  if (!("reply" in reply)) return `received ${cause.name}`;
  if (reply.replyAction === "opt_out")
    return `replied “${reply.reply}” → opted out of SMS (every category)`;
  if (reply.replyAction === "opt_in") return `replied “${reply.reply}” → opted back in to SMS`;
  return `replied “${reply.reply}”`;
}

function exitReason(effects: Effect[]): string | null {
  for (let i = effects.length - 1; i >= 0; i--) {
    const e = effects[i];
    if (e?.type === "exited") return e.reason;
  }
  return null;
}

function applyEffect(e: Effect, s: RowStep, keys: Map<string, string>): void {
  const { row, out, links, iso } = s;
  switch (e.type) {
    case "send": {
      const sms = e.channel === "sms" && s.phone !== null;
      if (sms) s.phone?.sends?.push(e.at);
      const payload = e.email ?? e.webhook ?? e.smsTemplate ?? e.push ?? null;
      out.messages.push({
        idempotency_key: e.idempotencyKey,
        contact_id: row.contactId,
        enrollment_id: row.id,
        journey_id: row.journeyId,
        version_id: row.versionId,
        node_id: e.nodeId,
        channel: e.channel,
        category: e.category,
        body: e.body,
        encoding: e.encoding,
        parts: e.parts,
        // An email's links may sit in its HTML only, a webhook's in its URL, headers or body.
        links: linksCarried(links.minted(), e.body, payload),
        payload,
        variant: e.variant ?? null,
        phone_hash: sms ? (s.phone?.hash ?? null) : null,
      });
      return;
    }
    case "log": {
      const key = e.entry.type === "sent" ? keys.get(e.entry.nodeId) : undefined;
      out.log.push(logRow(row, e.entry, key ? { idempotencyKey: key } : {}, iso));
      return;
    }
    case "cooldown":
      out.cooldowns.push({
        contact_id: row.contactId,
        scope: e.scope,
        until: iso(e.until),
        reason: "cooldown_node",
        applies: e.applies,
        journey_id: row.journeyId,
        node_id: e.nodeId,
      });
      return;
    case "optOut":
      out.optOuts.push({ contactId: row.contactId, journeyId: row.journeyId, keyword: e.keyword });
      return;
    case "converted":
      if (e.attributedTo) {
        out.conversions.push({
          contact_id: row.contactId,
          idempotency_key: e.attributedTo.idempotencyKey,
          event: e.event,
          at: iso(e.at),
        });
      }
      return;
    case "attribute":
      out.attributes.push({ contact_id: row.contactId, attribute: e.attribute, value: e.value });
      return;
    case "exited":
      // Arrives with its own timeline entry (a `log` effect); nothing else to store.
      return;
    default: {
      const never: never = e;
      throw new Error(`unknown effect ${JSON.stringify(never)}`);
    }
  }
}

function logRow(
  row: ClaimedEnrollment,
  entry: TimelineEntry | { type: "event"; at: number; nodeId: string; detail: string },
  extra: Record<string, unknown>,
  iso: (ms: number) => string,
): BatchWrites["log"][number] {
  return {
    contact_id: row.contactId,
    enrollment_id: row.id,
    journey_id: row.journeyId,
    version_id: row.versionId,
    node_id: entry.nodeId,
    type: entry.type,
    reason: "reason" in entry ? entry.reason : null,
    detail: entry.detail,
    data: entryData(entry, extra),
    at: iso(entry.at),
  };
}

/**
 * The entry's own fields (all but type, at, nodeId and detail), spelled out per type: this runs
 * for every log row the ticker writes, and an object rest/spread per row showed up as ~5% of
 * the ticker's CPU profile.
 */
function entryData(
  entry: TimelineEntry | { type: "event"; at: number; nodeId: string; detail: string },
  extra: Record<string, unknown>,
): Record<string, unknown> {
  switch (entry.type) {
    case "entered":
    case "event":
      return extra;
    case "waiting":
      return { until: entry.until, ...extra };
    case "branched":
      return { path: entry.path, ...extra };
    case "sent":
      return entry.variant === undefined
        ? { channel: entry.channel, body: entry.body, parts: entry.parts, ...extra }
        : {
            channel: entry.channel,
            body: entry.body,
            parts: entry.parts,
            variant: entry.variant,
            ...extra,
          };
    case "deferred":
      return { until: entry.until, reason: entry.reason, ...extra };
    case "suppressed":
    case "exited":
      return { reason: entry.reason, ...extra };
    case "cooldown":
      return { until: entry.until, ...extra };
    case "updated":
      return { attribute: entry.attribute, from: entry.from, to: entry.to, ...extra };
    case "update_failed":
      return { attribute: entry.attribute, reason: entry.reason, ...extra };
    case "converted":
      return entry.sendNodeId === undefined
        ? { event: entry.event, ...extra }
        : { event: entry.event, sendNodeId: entry.sendNodeId, ...extra };
    default:
      return assertNever(entry);
  }
}

/** ISO strings for a batch's timestamps: nearly all equal `now`, so remember the last one. */
export function isoMemo(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = "";
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      last = new Date(ms).toISOString();
    }
    return last;
  };
}
