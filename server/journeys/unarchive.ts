import type { Knex } from "knex";
import { DomainError } from "../domain-error.ts";
import type { JourneyRecord } from "./store.ts";

/**
 * Undoes an archive from the journey list. Archiving ended every enrollment (store.ts
 * archiveJourney); those stay ended — the users' timelines already say they exited — so
 * unarchiving only lets the journey be edited and run again. It never starts sending by
 * itself: a journey that was ever published comes back paused with new entries skipped (the
 * marketer resumes it deliberately), one never published comes back a draft.
 */
export async function unarchiveJourney(
  knex: Knex,
  id: string,
  now: Date,
): Promise<JourneyRecord["status"]> {
  return knex.transaction(async (trx) => {
    const row = (await trx("journeys")
      .where({ id })
      .forUpdate()
      .first("status", "live_version_id")) as
      | { status: JourneyRecord["status"]; live_version_id: string | number | null }
      | undefined;
    if (!row) throw new DomainError("not_found", "not_found", `no journey "${id}"`);
    if (row.status !== "archived")
      throw new DomainError(
        "conflict",
        "wrong_status",
        `only an archived journey can be unarchived (it is ${row.status})`,
      );
    const status = row.live_version_id === null ? "draft" : "paused";
    await trx("journeys")
      .where({ id })
      .update({
        status,
        archived_at: null,
        pause_entries: status === "paused" ? "skip" : null,
        paused_at: status === "paused" ? now : null,
        updated_at: now,
      });
    return status;
  });
}
