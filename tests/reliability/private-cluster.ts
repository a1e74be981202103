import knex from "knex";
import { canRunOwnCluster, startCluster } from "../helpers/pg-cluster.ts";

/** The tools are there and we can become the `postgres` user (root, with runuser). */
export const canRunPrivateCluster = canRunOwnCluster;

export interface PrivateCluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<db>` */
  url(db: string): string;
  /** pg_terminate_backend of every session connected to `db` (this cluster only). */
  terminate(db: string): Promise<number>;
  /** `pg_ctl restart -m fast`: sessions are ended, checkpoint, back up. */
  restartFast(): Promise<void>;
  /** `pg_ctl stop -m immediate`: a crash as far as sessions and WAL are concerned. */
  stopImmediate(): Promise<void>;
  start(): Promise<void>;
  log(): string;
  destroy(): Promise<void>;
}

/**
 * A cluster of the test's own (helpers/pg-cluster.ts) with a `waymark` database, for faults the
 * shared server must never see. fsync is off: the faults here stop PostgreSQL's processes, not
 * the machine, so the OS keeps every write it was handed.
 */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const cluster = await startCluster(
    ["fsync=off", "full_page_writes=off", "shared_buffers=64MB"],
    ["--no-sync"],
  );
  const admin = async <T>(fn: (k: knex.Knex) => Promise<T>): Promise<T> => {
    const k = knex({ client: "pg", connection: cluster.url("postgres"), pool: { min: 0, max: 1 } });
    try {
      return await fn(k);
    } finally {
      await k.destroy();
    }
  };
  await admin((k) => k.raw("create database waymark"));
  return {
    port: cluster.port,
    url: cluster.url,
    async terminate(db) {
      return admin(async (k) => {
        const r = (await k.raw(
          `select count(*) filter (where pg_terminate_backend(pid)) as n
             from pg_stat_activity where datname = ? and pid <> pg_backend_pid()`,
          [db],
        )) as { rows: { n: string }[] };
        return Number(r.rows[0]?.n ?? 0);
      });
    },
    restartFast: () => cluster.restart("fast"),
    stopImmediate: () => cluster.stop("immediate"),
    start: cluster.start,
    log: cluster.log,
    destroy: () => cluster.destroy("immediate"),
  };
}
