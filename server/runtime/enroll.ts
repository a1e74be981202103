import type { Knex } from "knex";
import type { JourneyEvent } from "../../engine/contact.ts";
import { canReenter, triggerMatches } from "../../engine/triggers.ts";
import type { StoredEvent } from "../events/record.ts";
import type { PauseEntries } from "../journeys/status.ts";
import type { LiveJourney } from "./live-journeys.ts";
import { recordSkips, type Skip } from "./sql/skips.ts";

export interface EntryRequest {
  contactId: number;
  journey: LiveJourney;
  /** The trigger event (or a synthetic `api.enroll`), handed to the engine's entry step. */
  event: JourneyEvent;
  /** Events up to this id are history for the new enrollment, not answers to its branches. */
  eventCursor: number;
}

/**
 * Enrollment on ingest only inserts rows: the enrollment (no snapshot yet, the entry event kept)
 * and a wake-up due now. The ticker runs the engine's entry step, so journey semantics live in
 * one place and ingest stays a few set-based statements. "At most one active enrollment per
 * contact and journey" is the unique index's job: ON CONFLICT DO NOTHING, not check-then-insert.
 * Every caller enrolls contacts only: anonymous profiles (anonymous_ids) are not contacts, so
 * they are never enrolled and never sent to.
 * A paused journey's entries follow the pause's choice: "wait" enrolls them held at the
 * trigger, "skip" logs one skip per contact per pause (sql/skips.ts). Either way only a contact
 * who would have entered (not active, allowed to re-enter) counts.
 */
export async function enroll(
  trx: Knex.Transaction,
  requests: EntryRequest[],
  now: Date,
): Promise<number[]> {
  if (requests.length === 0) return [];
  const unique = new Map<string, EntryRequest>();
  for (const r of requests) {
    const key = `${r.contactId}:${r.journey.journeyId}`;
    if (!unique.has(key)) unique.set(key, r);
  }
  // (contact, journey) order: the insert below waits on the active-enrollment unique index for
  // pairs another transaction is inserting, and waiting in one order cannot deadlock.
  const candidates = [...unique.values()].sort(
    (a, b) =>
      a.contactId - b.contactId ||
      (a.journey.journeyId < b.journey.journeyId
        ? -1
        : a.journey.journeyId > b.journey.journeyId
          ? 1
          : 0),
  );
  const last = await lastEnrollments(trx, candidates);
  const allowed = candidates.filter((r) => {
    const prev = last.get(`${r.contactId}:${r.journey.journeyId}`);
    if (prev?.active) return false;
    return canReenter(
      r.journey.journey,
      prev ? { enteredAt: prev.enteredAt, endedAt: prev.endedAt } : null,
      now.getTime(),
    );
  });
  if (allowed.length === 0) return [];
  // The journey's state now, not the cached one: a pause or resume in the last second decides.
  const states = await journeyStates(trx, [...new Set(allowed.map((r) => r.journey.journeyId))]);
  const entering: { request: EntryRequest; held: boolean }[] = [];
  const skips = new Map<string, { since: Date; skips: Skip[] }>();
  for (const r of allowed) {
    const state = states.get(r.journey.journeyId);
    if (state?.status === "live") entering.push({ request: r, held: false });
    else if (state?.status === "paused" && state.entries === "wait")
      entering.push({ request: r, held: true });
    else if (state?.status === "paused") {
      const group = skips.get(r.journey.journeyId) ?? { since: state.since, skips: [] };
      group.skips.push(skipOf(r));
      skips.set(r.journey.journeyId, group);
    }
    // Draft or archived since the cache was read: nobody enters.
  }
  for (const group of skips.values()) await recordSkips(trx, group.skips, group.since, now);
  if (entering.length === 0) return [];
  const rows = entering.map(({ request: r }) => ({
    contact_id: r.contactId,
    journey_id: r.journey.journeyId,
    version_id: r.journey.versionId,
    current_node: r.journey.compiled.trigger?.id ?? "",
    entry_event: r.event,
    event_cursor: r.eventCursor,
  }));
  const inserted = (await trx.raw(
    `insert into enrollments (contact_id, journey_id, version_id, current_node, entry_event, event_cursor, entered_at, updated_at)
     select x.contact_id, x.journey_id, x.version_id, x.current_node, x.entry_event, x.event_cursor, ?, ?
       from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, journey_id text, version_id bigint,
            current_node text, entry_event jsonb, event_cursor bigint)
      order by x.contact_id, x.journey_id
     on conflict (contact_id, journey_id) where status = 'active' do nothing
     returning id, contact_id, journey_id`,
    [now, now, JSON.stringify(rows)],
  )) as { rows: { id: string | number; contact_id: string | number; journey_id: string }[] };
  if (inserted.rows.length === 0) return [];
  // Entered during a pause set to "wait": held at entry (as pausing holds everyone), released
  // with the others on resume; until then no tick and no event moves it.
  const heldJourneys = new Set(
    entering.filter((e) => e.held).map((e) => e.request.journey.journeyId),
  );
  const wakeups = inserted.rows.map((r) => ({
    id: r.id,
    contact_id: r.contact_id,
    held: heldJourneys.has(r.journey_id),
  }));
  await trx.raw(
    `insert into enrollment_wakeups (enrollment_id, contact_id, wake_at, held)
     select x.id, x.contact_id, case when x.held then 'infinity'::timestamptz else ?::timestamptz end, x.held
       from jsonb_to_recordset(?::jsonb) as x(id bigint, contact_id bigint, held boolean)`,
    [now, JSON.stringify(wakeups)],
  );
  return inserted.rows.map((r) => Number(r.id));
}

type JourneyState =
  | { status: "live" }
  | { status: "paused"; entries: PauseEntries; since: Date }
  | { status: "other" };

/**
 * Plain reads, no lock: ingest has locked wake-up rows by now, and pause/resume lock the journey
 * row before the wake-ups, so waiting on the journey row here could deadlock. The window this
 * leaves is a resume committing between this read and our commit: "wait" entries written in it
 * stay held until the periodic sweep (releaseStrayHeld, every few minutes) frees them.
 */
async function journeyStates(
  trx: Knex.Transaction,
  ids: string[],
): Promise<Map<string, JourneyState>> {
  const rows = (await trx("journeys")
    .whereIn("id", ids)
    .select("id", "status", "pause_entries", "paused_at", "updated_at")) as {
    id: string;
    status: string;
    pause_entries: PauseEntries | null;
    paused_at: Date | null;
    updated_at: Date;
  }[];
  return new Map(
    rows.map((r): [string, JourneyState] => [
      r.id,
      r.status === "live"
        ? { status: "live" }
        : r.status === "paused"
          ? {
              status: "paused",
              // Paused before pause_entries existed: the migration set "skip"; null never stays.
              entries: r.pause_entries ?? "skip",
              since: new Date(r.paused_at ?? r.updated_at),
            }
          : { status: "other" },
    ]),
  );
}

function skipOf(r: EntryRequest): Skip {
  return {
    contactId: r.contactId,
    journeyId: r.journey.journeyId,
    versionId: r.journey.versionId,
    nodeId: r.journey.compiled.trigger?.id ?? "",
    event: r.event.name,
    detail: `did not enter on ${r.event.name}: the journey is paused and skips new entries until it resumes`,
  };
}

interface Last {
  active: boolean;
  enteredAt: number;
  endedAt: number | null;
}

async function lastEnrollments(
  trx: Knex.Transaction,
  requests: EntryRequest[],
): Promise<Map<string, Last>> {
  const pairs = requests.map((r) => ({ contact_id: r.contactId, journey_id: r.journey.journeyId }));
  const result = (await trx.raw(
    `select distinct on (e.contact_id, e.journey_id)
            e.contact_id, e.journey_id, e.status, e.entered_at, e.ended_at
       from enrollments e
       join jsonb_to_recordset(?::jsonb) as x(contact_id bigint, journey_id text)
         on x.contact_id = e.contact_id and x.journey_id = e.journey_id
      order by e.contact_id, e.journey_id, e.entered_at desc`,
    [JSON.stringify(pairs)],
  )) as {
    rows: {
      contact_id: string | number;
      journey_id: string;
      status: string;
      entered_at: Date;
      ended_at: Date | null;
    }[];
  };
  return new Map(
    result.rows.map((r) => [
      `${r.contact_id}:${r.journey_id}`,
      {
        active: r.status === "active",
        enteredAt: new Date(r.entered_at).getTime(),
        endedAt: r.ended_at ? new Date(r.ended_at).getTime() : null,
      },
    ]),
  );
}

/** Entry requests for stored events that match a live journey's event trigger. */
export function entriesForEvents(live: LiveJourney[], events: StoredEvent[]): EntryRequest[] {
  const out: EntryRequest[] = [];
  for (const ev of events) {
    const event: JourneyEvent = {
      name: ev.name,
      at: ev.occurredAt.getTime(),
      properties: ev.properties,
    };
    for (const j of live) {
      if (triggerMatches(j.journey, event))
        out.push({ contactId: ev.contactId, journey: j, event, eventCursor: ev.id });
    }
  }
  return out;
}
