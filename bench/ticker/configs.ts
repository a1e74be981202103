import type { GraphileConfig } from "./graphile.ts";
import type { PgBossConfig } from "./pgboss.ts";
import type { TickerMode } from "./ticker-runs.ts";

/** One row of the report: the ticker, a floor, or a job-queue baseline in one configuration. */
export type Config =
  | { kind: "ticker"; mode: TickerMode; workers: number; batch: number }
  | { kind: "pgboss"; c: PgBossConfig }
  | { kind: "graphile"; c: GraphileConfig };

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
export const numbers = (s: string) => list(s).map(Number);

export interface SweepOptions {
  batches: number[];
  workers: number[];
  floors: TickerMode[];
  pgboss: {
    batches: number[];
    poll: number[];
    loops: number[];
    procs: number[];
    refetch: PgBossConfig["refetch"][];
  } | null;
  graphile: { concurrency: number[]; batches: number[]; procs: number[]; pollMs: number } | null;
}

export function parseFloors(s: string): TickerMode[] {
  return list(s).map((f) => {
    if (f === "replay" || f === "physical") return f;
    throw new Error(`--floors: unknown floor "${f}" (replay, physical)`);
  });
}

export function parseRefetch(s: string): PgBossConfig["refetch"][] {
  return list(s).map((f) => {
    if (f === "full" || f === "poll") return f;
    throw new Error(`--pgboss-refetch: unknown value "${f}" (full, poll)`);
  });
}

/** Every configuration of the sweep, in the order they run within a round. */
export function sweep(o: SweepOptions): Config[] {
  const out: Config[] = [];
  for (const workers of o.workers)
    for (const batch of o.batches)
      for (const mode of ["engine", ...o.floors] as TickerMode[])
        out.push({ kind: "ticker", mode, workers, batch });
  if (o.pgboss) {
    const p = o.pgboss;
    for (const procs of p.procs)
      for (const loops of p.loops)
        for (const batch of p.batches)
          for (const pollSeconds of p.poll)
            for (const refetch of p.refetch)
              out.push({ kind: "pgboss", c: { procs, loops, batch, pollSeconds, refetch } });
  }
  if (o.graphile) {
    const g = o.graphile;
    for (const procs of g.procs)
      for (const concurrency of g.concurrency)
        for (const batch of g.batches)
          out.push({ kind: "graphile", c: { procs, concurrency, batch, pollMs: g.pollMs } });
  }
  return out;
}
