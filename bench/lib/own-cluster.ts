import { startCluster } from "../../tests/helpers/pg-cluster.ts";

/**
 * The two configurations issue 18 asks to compare. Stock is initdb's (checkpoints every 1 GB
 * of WAL or 5 min, which on the 1M-user run meant one every 5–15 s); tuned spaces checkpoints
 * out so a run pays few of them, and compresses the full-page images each one forces.
 */
export type ClusterConfig = "stock" | "tuned";
const TUNED = ["max_wal_size=16GB", "checkpoint_timeout=30min", "wal_compression=lz4"];

export interface OwnCluster {
  url: string;
  stop: () => Promise<void>;
}

/**
 * A PostgreSQL 15 cluster of the bench's own (tests/helpers/pg-cluster.ts): settings are tried
 * there, never on the shared server. Unlike the reliability tests' cluster, fsync stays on:
 * this one measures.
 */
export async function startOwnCluster(config: ClusterConfig): Promise<OwnCluster> {
  const cluster = await startCluster(config === "tuned" ? TUNED : []);
  return { url: cluster.url("postgres"), stop: () => cluster.destroy("fast") };
}
