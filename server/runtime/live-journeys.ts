import type { Knex } from "knex";
import { type CompiledJourney, compile } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";

export interface LiveJourney {
  journeyId: string;
  /**
   * Paused journeys are here too: their triggers still reach `enroll`, which enters the contact
   * held ("wait") or logs a skip ("skip"), by the journey's state at that moment.
   */
  status: "live" | "paused";
  versionId: number;
  journey: Journey;
  compiled: CompiledJourney;
}

/**
 * Live journeys and their compiled machines, re-read at most every `ttlMs`. Ingest needs them on
 * every batch to match event triggers; a short TTL keeps that off the database while a
 * publish or pause in another process is seen within a second.
 */
export function liveJourneyCache(knex: Knex, ttlMs = 1000) {
  let loadedAt = -Infinity;
  let current: Promise<LiveJourney[]> | null = null;
  return {
    get(now = Date.now()): Promise<LiveJourney[]> {
      if (!current || now - loadedAt > ttlMs) {
        loadedAt = now;
        current = loadLive(knex).catch((err: unknown) => {
          current = null;
          throw err;
        });
      }
      return current;
    },
    invalidate() {
      current = null;
    },
  };
}

async function loadLive(knex: Knex): Promise<LiveJourney[]> {
  const rows = (await knex("journeys as j")
    .join("journey_versions as v", "v.id", "j.live_version_id")
    .whereIn("j.status", ["live", "paused"])
    .select("j.id as journey_id", "j.status", "v.id as version_id", "v.definition")) as {
    journey_id: string;
    status: "live" | "paused";
    version_id: string | number;
    definition: Journey;
  }[];
  return rows.map((r) => {
    const versionId = Number(r.version_id);
    return {
      journeyId: r.journey_id,
      status: r.status,
      versionId,
      journey: r.definition,
      compiled: compile({ versionId: String(versionId), journey: r.definition }),
    };
  });
}

const MAX_VERSIONS = 500;
const versions = new Map<number, CompiledJourney>();

/**
 * The compiled versions a ticker batch needs. Versions are immutable, so each is read from the
 * database once per process; only ids not seen before cost a query.
 */
export async function loadVersions(
  knex: Knex,
  ids: Iterable<number>,
): Promise<Map<number, CompiledJourney>> {
  const out = new Map<number, CompiledJourney>();
  const missing: number[] = [];
  for (const id of ids) {
    const hit = versions.get(id);
    if (hit) out.set(id, hit);
    else if (!missing.includes(id)) missing.push(id);
  }
  if (missing.length === 0) return out;
  const rows = (await knex("journey_versions")
    .whereIn("id", missing)
    .select("id", "definition")) as {
    id: string | number;
    definition: Journey;
  }[];
  for (const r of rows) {
    const id = Number(r.id);
    const compiled = compile({ versionId: String(id), journey: r.definition });
    if (versions.size >= MAX_VERSIONS) {
      const oldest = versions.keys().next();
      if (!oldest.done) versions.delete(oldest.value);
    }
    versions.set(id, compiled);
    out.set(id, compiled);
  }
  return out;
}
