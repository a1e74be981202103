import type { Knex } from "knex";

/**
 * Active enrollments per node of one journey: what a new subscriber starts from before deltas.
 * `snapshot is not null` leaves out enrollments ingest parked on the trigger that the ticker has
 * not stepped yet; the deltas count them from their entry step on (flush.ts), so both agree.
 * Served by `enrollments_journey_idx (journey_id, status)`.
 */
export async function snapshotCounts(
  knex: Knex,
  journeyId: string,
): Promise<Record<string, number>> {
  const rows = (await knex("enrollments")
    .where({ journey_id: journeyId, status: "active" })
    .whereNotNull("snapshot")
    .groupBy("current_node")
    .select("current_node", knex.raw("count(*)::int as n"))) as {
    current_node: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.current_node, Number(r.n)]));
}
