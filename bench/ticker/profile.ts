import { readdirSync, readFileSync } from "node:fs";
import { connect } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { tickOnce } from "../../server/runtime/ticker.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { startOwnCluster } from "../lib/own-cluster.ts";
import { BENCH_DUE, resetBench, seedBench } from "./fixture.ts";

/**
 * Where one ticker worker's time goes, per statement, with the costs that do not depend on how
 * busy the machine is: WAL bytes per user and CPU per user of Node and of the cluster's
 * processes (its own cluster, so nothing else is counted). For trying one change at a time:
 *   npx tsx bench/ticker/profile.ts [users] [batch]   (EXP_SQL=… runs after seeding; ROUNDS=n)
 */
const users = Number(process.argv[2] ?? 50000);
const batch = Number(process.argv[3] ?? 2000);
const cluster = await startOwnCluster(process.env.TUNED ? "tuned" : "stock");
const url = await freshBenchDatabase("waymark_profile", "profile", cluster.url);
const db = await connect({ url, poolMax: 2 });
await migrateLatest(db.knex);
const { template } = await seedBench(db.knex, users);
for (const sql of (process.env.EXP_SQL ?? "").split(";;").filter((s) => s.trim()))
  await db.knex.raw(sql);
const backend = Number((await db.knex.raw("select pg_backend_pid() as p")).rows[0].p);
const statOf = (pid: number) =>
  (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
const postmaster = Number(statOf(backend)[1]);
/** utime + stime of the postmaster and its children, ms (10 ms ticks). */
function clusterCpuMs(): number {
  let ms = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = statOf(Number(d));
      if (Number(d) !== postmaster && Number(f[1]) !== postmaster) continue;
      ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch {}
  }
  return ms;
}
const wal = async () =>
  BigInt((await db.knex.raw("select pg_current_wal_insert_lsn() - '0/0'::pg_lsn as b")).rows[0].b);
const lsn = async () =>
  String((await db.knex.raw("select pg_current_wal_insert_lsn() as l")).rows[0].l);
if (process.env.WALSTATS) await db.knex.raw("create extension if not exists pg_walinspect");
const times = new Map<string, { n: number; ms: number }>();
const started = new Map<string, { sql: string; t: number }>();
db.knex.on("query", (q: { __knexQueryUid: string; sql: string }) => {
  started.set(q.__knexQueryUid, { sql: q.sql, t: performance.now() });
});
db.knex.on("query-response", (_r: unknown, q: { __knexQueryUid: string }) => {
  const s = started.get(q.__knexQueryUid);
  if (!s) return;
  const key = s.sql.replace(/\s+/g, " ").trim().slice(0, 70);
  const e = times.get(key) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += performance.now() - s.t;
  times.set(key, e);
});
const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
const policy = policyCache(db.knex, "UTC", 60_000);
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  await resetBench(db.knex, template);
  await db.knex.raw("checkpoint");
  times.clear();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pg0 = clusterCpuMs();
  const wal0 = await wal();
  const lsn0 = await lsn();
  let n = 0;
  const phases = { claim: 0, load: 0, step: 0, write: 0 };
  for (;;) {
    const r = await tickOnce({
      knex: db.knex,
      crypto,
      policy,
      linkBase: "https://wm.example",
      batchSize: batch,
      now: () => new Date(BENCH_DUE),
      notifyOutbox: true,
    });
    if (r.claimed === 0) break;
    n += r.claimed;
    for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k] += r.phases[k];
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const walBytes = Number((await wal()) - wal0);
  const pgMs = clusterCpuMs() - pg0;
  if (process.env.WALSTATS) {
    await db.knex.raw("select pg_switch_wal()");
    const rows = (
      await db.knex.raw(
        `select "resource_manager/record_type" as k, count, record_size, fpi_size
         from pg_get_wal_stats(?::pg_lsn, pg_current_wal_lsn(), true) where count > 0 order by record_size + fpi_size desc limit 14`,
        [lsn0],
      )
    ).rows as { k: string; count: string; record_size: string; fpi_size: string }[];
    if (process.env.WALSTATS === "rel") {
      const rel = (
        await db.knex.raw(
          `select record_type as k, c.relname, count(*) as n, sum(record_length) as bytes, sum(fpi_length) as fpi
           from pg_get_wal_records_info(?::pg_lsn, pg_current_wal_lsn()) r
           left join pg_class c on c.relfilenode = (regexp_match(r.block_ref, 'rel \\d+/\\d+/(\\d+)'))[1]::oid
          where resource_manager in ('Heap','Btree')
          group by 1, 2 order by 4 desc limit 30`,
          [lsn0],
        )
      ).rows as { k: string; relname: string; n: string; bytes: string; fpi: string }[];
      for (const r of rel)
        console.log(
          `  ${r.k.padEnd(14)} ${String(r.relname).padEnd(36)} ${(Number(r.n) / n).toFixed(2)}/user ${(Number(r.bytes) / n).toFixed(0).padStart(5)} B fpi ${(Number(r.fpi) / n).toFixed(0)} B`,
        );
    }
    for (const r of rows)
      console.log(
        `  ${r.k.padEnd(28)} ${(Number(r.count) / n).toFixed(2)} rec/user ${(Number(r.record_size) / n).toFixed(0).padStart(5)} B  fpi ${(Number(r.fpi_size) / n).toFixed(0).padStart(5)} B`,
      );
  }
  console.log(
    `round ${round}: ${Math.round((n / ms) * 1000)} users/s; per user: node ${((cpu.user + cpu.system) / n).toFixed(1)} µs cpu, postgres ${((pgMs * 1000) / n).toFixed(1)} µs cpu, WAL ${Math.round(walBytes / n)} B`,
  );
  console.log(
    "phases µs/user",
    Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, ((v * 1000) / n).toFixed(1)])),
  );
  if (!process.env.QUIET)
    for (const [k, v] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8))
      console.log(
        `${((v.ms * 1000) / n).toFixed(1).padStart(7)} µs/user  ${String(v.n).padStart(5)}×  ${k}`,
      );
}
await db.close();
await cluster.stop();
process.exit(0);
