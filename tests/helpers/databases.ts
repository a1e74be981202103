import { randomBytes } from "node:crypto";
import knex from "knex";
import { connect, type Database, type DatabaseKind } from "../../server/db/connect.ts";

/**
 * Database tests run on PGlite always, and also on PostgreSQL when TEST_DATABASE_URL is set
 * (CI sets it). Use with `describe.each(databaseKinds)`.
 */
export const databaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

export interface TestDatabase extends Database {
  /** Connection URL for a child process (postgres only; PGlite lives in this process). */
  url: string | undefined;
}

/**
 * A database of its own for one test file: an in-memory PGlite, or a freshly created PostgreSQL
 * database that is dropped on close, so parallel files and repeated runs never collide.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === "pglite") {
    const db = await connect({ pgliteDir: "memory" });
    return { ...db, url: undefined };
  }
  const { url, drop } = await createPostgresDatabase();
  const db = await connect({ url, poolMax: 5 });
  return {
    ...db,
    url,
    async close() {
      await db.close();
      await drop();
    },
  };
}

/** Creates an empty PostgreSQL database next to TEST_DATABASE_URL's; `drop` removes it. */
export async function createPostgresDatabase(): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error("TEST_DATABASE_URL is not set");
  const name = `waymark_test_${randomBytes(6).toString("hex")}`;
  const adminDb = knex({ client: "pg", connection: admin, pool: { min: 0, max: 1 } });
  await adminDb.raw(`create database ${name}`);
  await adminDb.destroy();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = knex({ client: "pg", connection: admin, pool: { min: 0, max: 1 } });
      await again.raw(`drop database if exists ${name} with (force)`);
      await again.destroy();
    },
  };
}
