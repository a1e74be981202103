import type { Knex } from "knex";
import { type Gate, ungated } from "../db/gate.ts";
import { withDbRetry } from "../db/retry.ts";
import { markSentMany, type SentRow } from "./sql/outcome.ts";

/**
 * Records accepted sends in sets: one guarded UPDATE per flush (sql/outcome.ts markSentMany)
 * instead of one per message. A flush happens when `maxRows` answers are waiting, `flushMs`
 * after the first one arrived, or at once while the worker is stopping.
 *
 * Why the guarantees do not change: until its row is written a message is exactly where it is
 * today between the provider's answer and markSent — `sending`, under this worker's lease, its
 * outcome unknown (the claim set outcome_unknown_since). A crash in the window leaves it to the
 * lease sweep, and the next claim asks the provider before any resend (attempt.ts); the window
 * only grows by `flushMs`. Each row is still written only while this worker holds its lease.
 *
 * Only `sent` goes through here: it is what nearly every attempt ends in. Retries, unknown
 * outcomes and failures stay one statement each (failures write an event in the same
 * transaction); they are rare, and batching them would buy nothing measurable.
 *
 * Measured (bench/delivery/processes.ts): see docs/SCALING.md, "Delivery".
 */
export interface SentRecorder {
  /** Resolves once written: true if the row was still ours, false if the guard kept the newer state. */
  sent(row: {
    id: number;
    provider: string;
    providerMessageId: string;
    at: Date;
  }): Promise<boolean>;
  /** Answers waiting or being written: the worker claims no more while there are too many. */
  pending(): number;
  /** Writes what is waiting now, and every later answer at once (the worker is stopping). */
  flush(): Promise<void>;
}

interface Waiting {
  row: SentRow;
  settle: (applied: boolean) => void;
  fail: (err: unknown) => void;
}

export function createSentRecorder(options: {
  knex: Knex;
  workerId: string;
  now: () => Date;
  maxRows: number;
  flushMs: number;
  /** A flush finished: room for more claims. */
  onWritten?: () => void;
  /** Each flush's UPDATE takes its turn on PGlite's connection (db/gate.ts). */
  gate?: Gate;
}): SentRecorder {
  const { knex, workerId, now } = options;
  const gate = options.gate ?? ungated;
  let waiting: Waiting[] = [];
  let writing = 0;
  let timer: NodeJS.Timeout | null = null;
  let immediate = false;
  const flights = new Set<Promise<void>>();

  function flushNow(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return Promise.resolve();
    const batch = waiting;
    waiting = [];
    writing += batch.length;
    const flight = withDbRetry(() =>
      gate(() => markSentMany(knex, { workerId, rows: batch.map((w) => w.row), now: now() })),
    )
      .then(
        (applied) => {
          for (const w of batch) w.settle(applied.has(w.row.id));
        },
        (err: unknown) => {
          for (const w of batch) w.fail(err);
        },
      )
      .finally(() => {
        writing -= batch.length;
        flights.delete(flight);
        options.onWritten?.();
      });
    flights.add(flight);
    return flight;
  }

  return {
    sent(row) {
      return new Promise<boolean>((settle, fail) => {
        waiting.push({
          row: {
            id: row.id,
            provider: row.provider,
            provider_message_id: row.providerMessageId,
            sent_at: row.at.toISOString(),
          },
          settle,
          fail,
        });
        if (immediate || waiting.length >= options.maxRows) void flushNow();
        else timer ??= setTimeout(() => void flushNow(), options.flushMs);
      });
    },
    pending: () => waiting.length + writing,
    async flush() {
      immediate = true;
      await flushNow();
      await Promise.all([...flights]);
    },
  };
}
