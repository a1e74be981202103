import type { Knex } from "knex";
import type { CompiledJourney } from "../../../engine/compile/compile.ts";
import { conditionAudiences } from "../../../engine/nodes/branch.ts";
import { isMember } from "../../audiences/queries.ts";

/**
 * Audience membership for a ticker batch, for condition branches with an `audience`
 * (engine/nodes/branch.ts reads it from `ContactView.audiences`).
 *
 * Evaluated live at the tick with `isMember` (one statement per audience, restricted to the
 * batch's contacts), not read from `audience_members`: that table is only refreshed on the
 * audience scanner's schedule and only for audiences that trigger journeys.
 *
 * Every audience any of the batch's versions references is evaluated for every contact in the
 * batch, not just the contacts sitting at that branch: the batch is small (≤ batchSize), the
 * statement is one either way, and finding who is where would need the snapshots walked first.
 */

/** Audience ids per compiled version; versions are immutable, so each is scanned once. */
const referenced = new WeakMap<CompiledJourney, readonly string[]>();

function audiencesOf(version: CompiledJourney): readonly string[] {
  let ids = referenced.get(version);
  if (ids === undefined) {
    ids = conditionAudiences(version.journey);
    referenced.set(version, ids);
  }
  return ids;
}

/**
 * Contact id → ids of the referenced audiences it is in; every contact of the batch gets an
 * entry (an empty list = loaded, in none). An empty map when no version references an
 * audience: the ticker's hot path then costs no query and leaves the views untouched.
 */
export async function loadAudienceMemberships(
  trx: Knex.Transaction,
  versions: Map<number, CompiledJourney>,
  contactIds: number[],
  now: Date,
): Promise<Map<number, string[]>> {
  const audienceIds = new Set<string>();
  for (const v of versions.values()) for (const id of audiencesOf(v)) audienceIds.add(id);
  const out = new Map<number, string[]>();
  if (audienceIds.size === 0 || contactIds.length === 0) return out;
  for (const id of contactIds) out.set(id, []);
  // Sequential on purpose: one transaction is one connection; sorted so logs and plans repeat.
  for (const audienceId of [...audienceIds].sort()) {
    const members = await isMember(trx, audienceId, contactIds, now);
    for (const contactId of members) out.get(contactId)?.push(audienceId);
  }
  return out;
}
