import type { Knex } from "knex";
import type { ContactView } from "../../engine/contact.ts";
import { dateTriggerDue } from "../../engine/triggers.ts";
import { type Gate, ungated } from "../db/gate.ts";
import { releaseStrayHeld } from "../journeys/status.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { enroll } from "./enroll.ts";
import type { LiveJourney, liveJourneyCache } from "./live-journeys.ts";

const CHUNK = 2000;

export interface DateScanOptions {
  knex: Knex;
  crypto: FieldCrypto;
  live: ReturnType<typeof liveJourneyCache>;
  workspaceTimezone: string;
  now: () => Date;
  /** On PGlite each page and enrollment transaction takes its turn (db/gate.ts). */
  gate?: Gate;
}

/**
 * Enrolls contacts whose date-attribute trigger (a birthday, a renewal date ± days, at a local
 * time) came due in the last day, in each contact's own zone. Run every few minutes: the engine's
 * `dateTriggerDue` looks back one day, so a late or missed run still enrolls, and an enrollment
 * already entered at or after the occurrence stops a second one for the same date.
 * Several processes may scan at once: the "entered at or after" check and the one-active-
 * enrollment unique index make a second scan a no-op, so no lock is held across the pages
 * (a session advisory lock would need one pinned connection, which PGlite cannot spare).
 * Contacts are read in keyset pages of 2,000.
 */
export async function scanDateTriggers(options: DateScanOptions): Promise<number> {
  const journeys = (await (options.gate ?? ungated)(() => options.live.get())).filter(
    (j) => j.compiled.trigger?.trigger.kind === "date_attribute",
  );
  if (journeys.length === 0) return 0;
  let enrolled = 0;
  for (const journey of journeys) enrolled += await scanJourney(options, journey);
  return enrolled;
}

async function scanJourney(options: DateScanOptions, journey: LiveJourney): Promise<number> {
  const trigger = journey.compiled.trigger?.trigger;
  if (trigger?.kind !== "date_attribute") return 0;
  const { knex, crypto } = options;
  const gate = options.gate ?? ungated;
  const now = options.now();
  let after = 0;
  let enrolled = 0;
  for (;;) {
    const rows = (await gate(() =>
      knex("contacts")
        .whereRaw("attributes \\? ?", [trigger.attribute])
        .andWhere("id", ">", after)
        .orderBy("id")
        .limit(CHUNK)
        .select("id", "timezone", "phone_encrypted", "attributes"),
    )) as {
      id: string | number;
      timezone: string | null;
      phone_encrypted: string | null;
      attributes: Record<string, unknown>;
    }[];
    if (rows.length === 0) break;
    after = Number(rows.at(-1)?.id);
    const due: { contactId: number; at: number }[] = [];
    for (const r of rows) {
      const view: ContactView = {
        id: String(r.id),
        attributes: r.attributes,
        timezone: r.timezone,
        phone: r.timezone || !r.phone_encrypted ? null : crypto.decrypt(r.phone_encrypted),
        consent: {},
        optOuts: [],
        recentSends: [],
        cooldowns: [],
      };
      const at = dateTriggerDue(journey.journey, view, now.getTime(), options.workspaceTimezone);
      if (at !== null) due.push({ contactId: Number(r.id), at });
    }
    if (due.length === 0) continue;
    enrolled += await gate(() =>
      knex.transaction(async (trx) => {
        // Entered at or after this occurrence already: the same birthday does not enroll twice.
        const seen = (await trx("enrollments")
          .where({ journey_id: journey.journeyId })
          .whereIn(
            "contact_id",
            due.map((d) => d.contactId),
          )
          .select("contact_id")
          .max("entered_at as last")
          .groupBy("contact_id")) as { contact_id: string | number; last: Date }[];
        // Skipped by a pause on or after this occurrence: skipped, not entered once resumed.
        const skipped = (await trx("enrollment_steps")
          .where({ journey_id: journey.journeyId })
          .whereNull("enrollment_id")
          .whereIn(
            "contact_id",
            due.map((d) => d.contactId),
          )
          .whereRaw(`entries @> '[{"type": "skipped"}]'::jsonb`)
          .select("contact_id")
          .max("at as last")
          .groupBy("contact_id")) as { contact_id: string | number; last: Date }[];
        const last = new Map<number, number>();
        for (const s of [...seen, ...skipped]) {
          const id = Number(s.contact_id);
          last.set(id, Math.max(last.get(id) ?? -Infinity, new Date(s.last).getTime()));
        }
        const fresh = due.filter((d) => (last.get(d.contactId) ?? -Infinity) < d.at);
        const cursors = (await trx("events")
          .whereIn(
            "contact_id",
            fresh.map((d) => d.contactId),
          )
          .select("contact_id")
          .max("id as max")
          .groupBy("contact_id")) as { contact_id: string | number; max: string | number }[];
        const cursor = new Map(cursors.map((c) => [Number(c.contact_id), Number(c.max)]));
        const ids = await enroll(
          trx,
          fresh.map((d) => ({
            contactId: d.contactId,
            journey,
            event: { name: `date.${trigger.attribute}`, at: d.at },
            eventCursor: cursor.get(d.contactId) ?? 0,
          })),
          now,
        );
        return ids.length;
      }),
    );
  }
  return enrolled;
}

/** Runs the scan now and then every `everyMs` until stopped. */
export function startDateScanner(
  options: DateScanOptions & { everyMs?: number; onError?: (err: unknown) => void },
) {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = scanDateTriggers(options)
      // Housekeeping on the same few-minute loop: held entries of journeys resumed meanwhile.
      .then(() => (options.gate ?? ungated)(() => releaseStrayHeld(options.knex, options.now())))
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        if (!stopped) timer = setTimeout(run, options.everyMs ?? 5 * 60_000);
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
