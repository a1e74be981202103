import { AsyncLocalStorage } from "node:async_hooks";
import type { Knex } from "knex";
import { expect } from "vitest";
import type { Gate } from "../../server/db/gate.ts";
import { createActivity } from "../../server/http/activity.ts";

/**
 * A gate as the server builds it on PGlite (one lane, turns one at a time; no API here, so a
 * turn waits only for the one before it) that records every query `knex` ran outside a turn.
 * A query belongs to the turn whose async context issued it (AsyncLocalStorage), so one that
 * an ungated caller issues while a turn is running is still caught. A gate called from inside
 * a turn is recorded too: in the server that turn would wait for itself forever.
 */
export function watchGate(knex: Knex) {
  const turn = new AsyncLocalStorage<true>();
  const lane = createActivity(0);
  const outside: string[] = [];
  const nested: number[] = [];
  let turns = 0;
  const watch = (query: { sql: string }) => {
    if (!turn.getStore()) outside.push(query.sql);
  };
  knex.on("query", watch);
  const gate: Gate = (work) => {
    if (turn.getStore()) nested.push(turns);
    return lane.background(() => {
      turns++;
      // Awaited inside the store: a knex builder is a lazy thenable whose query starts only
      // when it is awaited, and that await must count as the turn's.
      return turn.run(true, async () => await work());
    });
  };
  /** Runs the test's own reads (polling, checks) without counting them as the worker's. */
  const aside = <T>(work: () => Promise<T>): Promise<T> => turn.run(true, async () => await work());
  return {
    gate,
    /** SQL of every query that ran outside a turn. */
    outside,
    /** Gate calls made from inside a turn (each would deadlock the server's lane). */
    nested,
    turns: () => turns,
    aside,
    stop: () => knex.off("query", watch),
  };
}

/**
 * Runs `work` with a watched gate and checks that every query it ran went through the gate, in
 * at least one turn, and that no turn opened another; resolves as `work` does.
 */
export async function allThroughGate<T>(knex: Knex, work: (gate: Gate) => Promise<T>): Promise<T> {
  const watched = watchGate(knex);
  const result = await work(watched.gate).finally(watched.stop);
  expect(watched.outside).toEqual([]);
  expect(watched.nested).toEqual([]);
  expect(watched.turns()).toBeGreaterThan(0);
  return result;
}
