import type { Knex } from "knex";
import type { JourneyRecord } from "../store.ts";

/**
 * The journey list as the console reads it: one statement, newest change first. A workspace
 * holds tens to a few hundred journeys, so the name search is a plain `ilike` over them (no
 * trigram index to keep); the active-user count per row sums the journey's rows of
 * journey_active_counts, kept by triggers (migrations/20261206220000_journey_active_counts.ts
 * says why: a count(*) per request grew with the enrollments and, on PGlite, starved the
 * ticker's one connection). Archived journeys are left out unless asked for by status: they are
 * finished work, and the list is what a marketer works on.
 */

export type JourneyStatus = JourneyRecord["status"];

export interface ListFilter {
  /** Part of the name or the id, any case; empty matches every journey. */
  q: string;
  /** Only this status; undefined: every status but archived. */
  status: JourneyStatus | undefined;
}

export interface JourneyListRow {
  id: string;
  name: string;
  status: JourneyStatus;
  pause_entries: string | null;
  version: number | null;
  updated_at: Date;
  archived_at: Date | null;
  active: string | number;
}

/** `%`, `_` and `\` typed by the marketer are literal characters, not patterns. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listJourneys(knex: Knex, filter: ListFilter): Promise<JourneyListRow[]> {
  const query = knex("journeys as j")
    .leftJoin("journey_versions as v", "v.id", "j.live_version_id")
    .select(
      "j.id",
      "j.name",
      "j.status",
      "j.pause_entries",
      "v.version",
      "j.updated_at",
      "j.archived_at",
      knex.raw(
        "(select coalesce(sum(c.n), 0)::bigint from journey_active_counts c where c.journey_id = j.id) as active",
      ),
    )
    .orderBy("j.updated_at", "desc")
    .orderBy("j.id");
  if (filter.status) query.where("j.status", filter.status);
  else query.whereNot("j.status", "archived");
  const q = filter.q.trim();
  if (q) {
    const pattern = `%${likeLiteral(q)}%`;
    query.where((w) => {
      w.whereRaw("j.name ilike ? escape '\\'", [pattern]).orWhereRaw("j.id ilike ? escape '\\'", [
        pattern,
      ]);
    });
  }
  return (await query) as JourneyListRow[];
}
