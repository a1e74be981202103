import type { Knex } from "knex";
import type { Condition } from "../../engine/audience/schema.ts";
import { type Gate, ungated } from "../db/gate.ts";
import { enroll } from "../runtime/enroll.ts";
import type { LiveJourney, liveJourneyCache } from "../runtime/live-journeys.ts";
import { selectMembers } from "./compile.ts";
import { compileReady } from "./queries.ts";
import { refreshRfmIfStale } from "./rfm-refresh.ts";
import { param, sql, toRaw } from "./sql.ts";

const CHUNK = 2000;

export interface AudienceScanOptions {
  knex: Knex;
  live: ReturnType<typeof liveJourneyCache>;
  now: () => Date;
  /** On PGlite each refresh, page and enrollment transaction takes its turn (db/gate.ts). */
  gate?: Gate;
}

export interface AudienceScanResult {
  /** Contacts who entered some audience on this scan. */
  entered: number;
  /** Contacts who left some audience on this scan. */
  left: number;
  /** Enrollments created. */
  enrolled: number;
}

/**
 * Audience-triggered journeys: re-evaluates each audience a live journey is triggered by,
 * records who entered and who left (audience_members), and enrolls members who entered the
 * audience after their last entry into the journey — so a journey published today enrolls the
 * current members once, and later only those who newly match (or left and came back; the
 * journey's re-entry rule still applies in `enroll`).
 *
 * Idempotent and safe to run in several processes at once, like the date scan: the membership
 * diff is one statement with ON CONFLICT DO NOTHING, and the one-active-enrollment unique index
 * makes a racing second enroll a no-op. A crash between the diff and the enrollments loses
 * nothing: candidates are read from audience_members, not from the diff.
 *
 * First it refreshes the RFM scores when purchases arrived since the last refresh (only their
 * buyers re-aggregated) or the last full refresh is an hour old (rfm-refresh.ts says why): RFM
 * audiences are then evaluated on current scores, and the grid is never more than a scan
 * behind. Done even when no journey is audience-triggered: the grid and the builder's
 * estimates read the same table.
 */
export async function scanAudienceTriggers(
  options: AudienceScanOptions,
): Promise<AudienceScanResult> {
  const gate = options.gate ?? ungated;
  await gate(() => refreshRfmIfStale(options.knex, options.now()));
  const result: AudienceScanResult = { entered: 0, left: 0, enrolled: 0 };
  const byAudience = new Map<string, LiveJourney[]>();
  for (const j of await gate(() => options.live.get())) {
    const trigger = j.compiled.trigger?.trigger;
    if (trigger?.kind !== "audience") continue;
    byAudience.set(trigger.audience, [...(byAudience.get(trigger.audience) ?? []), j]);
  }
  for (const [audienceId, journeys] of byAudience) {
    const now = options.now();
    const diff = await gate(() => refreshMembership(options.knex, audienceId, now));
    if (!diff) continue;
    result.entered += diff.entered;
    result.left += diff.left;
    for (const journey of journeys) {
      result.enrolled += await enrollEntered(options.knex, gate, audienceId, journey, now);
    }
  }
  return result;
}

/** Recomputes one audience's members and applies the difference; null if it does not exist. */
export async function refreshMembership(
  knex: Knex,
  audienceId: string,
  now: Date,
): Promise<{ entered: number; left: number } | null> {
  const row = (await knex("audiences").where({ id: audienceId }).first("definition")) as
    | { definition: Condition }
    | undefined;
  if (!row) return null;
  const members = selectMembers(await compileReady(knex, row.definition, now), sql`c.id`);
  const id = param(audienceId);
  const q = sql`with now_members as (${members}),
    ins as (
      insert into audience_members (audience_id, contact_id, entered_at)
      select ${id}::text, n.id, ${param(now)}::timestamptz from now_members n
      on conflict (audience_id, contact_id) do nothing
      returning contact_id),
    del as (
      delete from audience_members m
       where m.audience_id = ${id}::text and m.contact_id not in (select n.id from now_members n)
      returning contact_id)
    select (select count(*) from ins) as entered, (select count(*) from del) as left_`;
  const { rows } = (await toRaw(knex, q)) as {
    rows: { entered: string | number; left_: string | number }[];
  };
  return { entered: Number(rows[0]?.entered ?? 0), left: Number(rows[0]?.left_ ?? 0) };
}

async function enrollEntered(
  knex: Knex,
  gate: Gate,
  audienceId: string,
  journey: LiveJourney,
  now: Date,
): Promise<number> {
  let after = 0;
  let enrolled = 0;
  for (;;) {
    // Members with no enrollment in this journey since they (last) entered the audience; the
    // cursor makes the contact's past events history rather than answers to its branches.
    const { rows } = (await gate(() =>
      knex.raw(
        `select m.contact_id,
              coalesce((select max(e.id) from events e where e.contact_id = m.contact_id), 0) as cursor
         from audience_members m
        where m.audience_id = ? and m.contact_id > ?
          and not exists (select 1 from enrollments en
                           where en.contact_id = m.contact_id and en.journey_id = ?
                             and en.entered_at >= m.entered_at)
          -- Skipped by a pause since entering the audience: skipped, not entered on resume.
          and not exists (select 1 from enrollment_steps s
                           where s.journey_id = ? and s.contact_id = m.contact_id
                             and s.enrollment_id is null and s.at >= m.entered_at
                             and s.entries @> '[{"type": "skipped"}]'::jsonb)
        order by m.contact_id
        limit ?`,
        [audienceId, after, journey.journeyId, journey.journeyId, CHUNK],
      ),
    )) as { rows: { contact_id: string | number; cursor: string | number }[] };
    if (rows.length === 0) break;
    after = Number(rows.at(-1)?.contact_id);
    enrolled += await gate(() =>
      knex.transaction(async (trx) => {
        const ids = await enroll(
          trx,
          rows.map((r) => ({
            contactId: Number(r.contact_id),
            journey,
            event: {
              name: "audience.entered",
              at: now.getTime(),
              properties: { audience: audienceId },
            },
            eventCursor: Number(r.cursor),
          })),
          now,
        );
        return ids.length;
      }),
    );
    if (rows.length < CHUNK) break;
  }
  return enrolled;
}

/** Runs the scan now and then every `everyMs` (default one minute) until stopped. */
export function startAudienceScanner(
  options: AudienceScanOptions & { everyMs?: number; onError?: (err: unknown) => void },
) {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = scanAudienceTriggers(options)
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        // A minute, not the date scan's five: a marketer who publishes an audience-triggered
        // journey expects the current members to start entering right away.
        if (!stopped) timer = setTimeout(run, options.everyMs ?? 60_000);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
