import type { Knex } from "knex";
import type { Database } from "../../server/db/connect.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { type RunningTicker, startTicker } from "../../server/runtime/ticker.ts";
import type { TestApp } from "./app.ts";
import { purchaseBranch } from "./journeys.ts";

/**
 * A published purchase-branch journey and a real ticker that polls once a minute: whatever
 * moves within seconds was woken (a nudge, a NOTIFY), not found by the poll.
 */
export async function idleTicker(
  db: Database,
  app: TestApp,
  journeyId: string,
): Promise<RunningTicker> {
  await createJourney(db.knex, purchaseBranch(journeyId), null);
  await publishJourney(db.knex, journeyId, null);
  return startTicker({
    knex: db.knex,
    crypto: app.crypto,
    policy: policyCache(db.knex, "UTC", 0),
    linkBase: app.url,
    pollMs: 60_000,
  });
}

/** The node a user's enrollment is at, or undefined before they enrolled. */
export async function currentNode(knex: Knex, userId: string): Promise<string | undefined> {
  const row = (await knex("enrollments as e")
    .join("contacts as c", "c.id", "e.contact_id")
    .where("c.external_id", userId)
    .select("e.current_node")
    .first()) as { current_node: string } | undefined;
  return row?.current_node;
}
