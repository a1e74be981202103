import { randomBytes } from "node:crypto";
import knex from "knex";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isConnectionLoss, withDbRetry } from "../../server/db/retry.ts";
import { createPostgresDatabase } from "../helpers/databases.ts";

/**
 * A server at its connection limit refuses new connections with SQLSTATE 53300. Many processes
 * sharing one PostgreSQL (API servers, workers, a migration) meet it in ordinary operation; it
 * passes as soon as a connection closes, so it is retried like a restart, and it never reaches
 * the process guard as a bug. A role with CONNECTION LIMIT 1 provokes the real error.
 */
describe.runIf(process.env.TEST_DATABASE_URL)("at the connection limit", () => {
  const role = `wm_limit_${randomBytes(4).toString("hex")}`;
  const admin = knex({ client: "pg", connection: process.env.TEST_DATABASE_URL });
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
    await admin.raw(`drop role if exists ${role}`);
    await admin.destroy();
  });

  it("a refused connection (53300) is retried and succeeds once a connection frees", async () => {
    await admin.raw(`create role ${role} login connection limit 1`);
    const created = await createPostgresDatabase();
    drop = created.drop;
    const url = new URL(created.url);
    url.username = role;
    // node-postgres clients, as the LISTEN connections and the realtime adapter use them.
    const first = new pg.Client({ connectionString: url.toString() });
    await first.connect();
    const query = async () => {
      const c = new pg.Client({ connectionString: url.toString() });
      try {
        await c.connect();
        return (await c.query("select 42 as n")).rows[0] as { n: number };
      } finally {
        await c.end().catch(() => {});
      }
    };
    try {
      const refused = await query().catch((err: unknown) => err);
      expect((refused as { code?: string }).code).toBe("53300");
      expect(isConnectionLoss(refused)).toBe(true);

      // Retried: the first lets go after 600 ms and the query then runs.
      setTimeout(() => void first.end(), 600);
      const started = Date.now();
      expect(await withDbRetry(query)).toEqual({ n: 42 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      await first.end().catch(() => {});
    }
  });
});
