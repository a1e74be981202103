import { formatSpread, type Spread, spread } from "../lib/repeat.ts";
import type { Config } from "./configs.ts";
import { graphileLabel } from "./graphile.ts";
import { pgBossLabel } from "./pgboss.ts";

export interface Measured {
  usersPerSec: number;
  /** µs per user by phase, summed over workers (ticker and replay floor only). */
  phases?: Record<string, number>;
  peakRssMiB: number[];
  /** Job-queue baselines: mean steps written per outbox INSERT. */
  meanGroup?: number;
}

interface ReportInput {
  users: number;
  repeat: number;
  configs: Config[];
  results: Measured[][];
  bytes: Map<string, string>;
  /** Whether the replay run wrote the engine run's rows (rowFingerprint); null: not compared. */
  replayMatches: boolean | null;
  server: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;
const rss = (runs: Measured[]) =>
  Math.max(...runs.flatMap((r) => r.peakRssMiB)).toLocaleString("en-US");
const medianPhase = (runs: Measured[], k: string) =>
  spread(runs.map((r) => r.phases?.[k] ?? 0)).median.toFixed(1);

/** The markdown body of the ticker's BENCHMARKS.md section: every configuration, every floor. */
export function reportBody(input: ReportInput): string {
  const { users, repeat, configs, results } = input;
  const rows = configs.map((c, i) => ({ c, runs: results[i] ?? [] }));
  const speed = (runs: Measured[]): Spread => spread(runs.map((r) => r.usersPerSec));
  const tickerRows: string[] = [];
  const baselineRows: string[] = [];
  let bestTicker = 0;
  const bestBaseline = { pgboss: 0, graphile: 0 };
  const bestLabel = { pgboss: "", graphile: "" };
  for (const { c, runs } of rows) {
    const s = speed(runs);
    switch (c.kind) {
      case "ticker": {
        if (c.mode !== "engine") break;
        bestTicker = Math.max(bestTicker, s.median);
        const floor = (mode: string) =>
          rows.find(
            (r) =>
              r.c.kind === "ticker" &&
              r.c.mode === mode &&
              r.c.workers === c.workers &&
              r.c.batch === c.batch,
          )?.runs ?? [];
        const replay = floor("replay");
        const physical = floor("physical");
        const cell = (runs: Measured[]) => (runs.length ? formatSpread(speed(runs)) : "–");
        const ratio = (runs: Measured[]) => (runs.length ? pct(s.median, speed(runs).median) : "–");
        tickerRows.push(
          `| ${c.workers} | ${c.batch} | ${formatSpread(s)} | ${cell(replay)} | ${ratio(replay)} | ${cell(physical)} | ${ratio(physical)} | ${["claim", "load", "step", "write"].map((k) => medianPhase(runs, k)).join(" / ")} | ${replay.length ? medianPhase(replay, "step") : "–"} | ${rss(runs)} |`,
        );
        break;
      }
      case "pgboss":
      case "graphile": {
        const label = c.kind === "pgboss" ? pgBossLabel(c.c) : graphileLabel(c.c);
        if (s.median > bestBaseline[c.kind]) {
          bestBaseline[c.kind] = s.median;
          bestLabel[c.kind] = label;
        }
        const group = spread(runs.map((r) => r.meanGroup ?? 0)).median;
        baselineRows.push(`| ${label} | ${formatSpread(s)} | ${fmt(group)} | ${rss(runs)} |`);
        break;
      }
    }
  }
  const best = Math.max(bestBaseline.pgboss, bestBaseline.graphile);
  const verdict = (name: "pgboss" | "graphile", title: string) =>
    bestBaseline[name] > 0
      ? `- best ${title}: **${fmt(bestBaseline[name])} users/s** (${bestLabel[name]}); the ticker's best is **${(bestTicker / bestBaseline[name]).toFixed(2)}×** that`
      : `- ${title}: not run`;
  return `${fmt(users)} due users advancing wait → send → wait (one outbox message and one timeline row each) on ${input.server}. ${repeat > 1 ? `Each configuration ran ${repeat} times, interleaved; cells are the median (min–max).` : "One run per configuration: no spread (use --repeat 3)."}

| workers | batch | ticker users/s | replay floor | ticker / replay | physical floor | ticker / physical | ticker µs per user: claim / load / engine / write (summed over workers) | replay step µs | peak RSS per worker, MiB |
|---|---|---|---|---|---|---|---|---|---|
${tickerRows.join("\n")}

- **replay floor**: the ticker's own statements (claim, load, write) carrying the rows the engine wrote for a recorded sample of users, each user's ids put in; no engine.
- **physical floor**: claim, one UPDATE, one outbox INSERT per batch, one statement: the least SQL that moves a user.
- stored bytes per row — ${[...input.bytes].map(([mode, b]) => `${mode}: ${b}`).join("; ")}.
- replay rows against the engine's (a hash of every enrollment, wake-up, timeline and outbox row, the rendered name and coupon masked): ${input.replayMatches === null ? "not compared" : input.replayMatches ? "**identical**" : "**DIFFERENT** — the replay floor is not the engine's rows; do not use it"}.

Do-it-yourself baselines, one job per user step, the same engine step, every configuration:

| baseline configuration | users/s | steps per write (mean) | peak RSS per process, MiB |
|---|---|---|---|
${baselineRows.join("\n")}

${verdict("pgboss", "pg-boss")}
${verdict("graphile", "graphile-worker")}
${best > 0 ? `- the ticker's best (${fmt(bestTicker)} users/s) over the best baseline: **${(bestTicker / best).toFixed(2)}×**` : ""}`;
}
