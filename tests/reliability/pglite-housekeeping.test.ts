import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../../server/db/connect.ts";
import { runCli, type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

interface LogLine {
  msg?: string;
  tables?: string[];
}

/**
 * `waymark start` on PGlite does autovacuum's work itself (server/db/maintenance.ts): contacts
 * churned through the real ingest API get vacuumed and analyzed by the running server, which
 * says so in its log and keeps answering meanwhile; and PGlite running with fsync off still
 * keeps every acknowledged write when the process is killed.
 */
describe("PGlite housekeeping in a running server", () => {
  it("vacuums and analyzes the contacts ingest churned, logs it, and what it acknowledged survives kill -9", async () => {
    const dir = tempDir("waymark-housekeeping-e2e-");
    const env = {
      WAYMARK_DATA_DIR: dir,
      WAYMARK_SERVE_CLIENT: "false",
      WAYMARK_DEMO_SEED: "false",
      WAYMARK_HOUSEKEEPING_MS: "300",
      LOG_LEVEL: "debug",
    };
    const server = await startWaymark(env);
    running.push(server);
    const lines: LogLine[] = [];
    let partial = "";
    server.child.stdout?.on("data", (d: Buffer) => {
      partial += d.toString();
      const whole = partial.split("\n");
      partial = whole.pop() ?? "";
      for (const line of whole) {
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          // The banner and other plain lines.
        }
      }
    });
    const key = await runCli(["keys", "create", "--kind", "write"], env);
    expect(key.code).toBe(0);
    const auth = `Basic ${Buffer.from(`${key.stdout.trim()}:`).toString("base64")}`;
    const send = async (round: number) => {
      const batch = Array.from({ length: 2000 }, (_, i) => ({
        type: "identify",
        userId: `hk-${i}`,
        traits: { round, plan: i % 2 ? "pro" : "free" },
        messageId: `hk-${round}-${i}`,
      }));
      for (let i = 0; i < batch.length; i += 500) {
        const res = await fetch(`${server.url}/v1/batch`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body: JSON.stringify({ batch: batch.slice(i, i + 500) }),
        });
        expect(res.status).toBe(200);
      }
    };
    // 2,000 contacts, then each updated twice: ~4,000 dead row versions, far past 50 + 20%.
    for (let round = 0; round < 3; round++) await send(round);
    const deadline = Date.now() + 30_000;
    const vacuumedContacts = () =>
      lines.some(
        (l) =>
          l.msg?.startsWith("database housekeeping") &&
          l.tables?.some((t) => t.startsWith("contacts vacuum+analyze")),
      );
    while (!vacuumedContacts() && Date.now() < deadline) {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      await new Promise((done) => setTimeout(done, 200));
    }
    expect(vacuumedContacts()).toBe(true);
    expect(lines.filter((l) => l.msg === "database housekeeping failed")).toEqual([]);

    // One more round acknowledged, then kill -9: PGlite runs with fsync off, but each commit
    // was written to the operating system before the 200, so the process dying loses nothing.
    await send(3);
    await new Promise((done) => {
      server.child.once("exit", done);
      server.child.kill("SIGKILL");
    });
    const db = await connect({ pgliteDir: dir });
    try {
      const rows = (
        await db.knex.raw(
          "select count(*)::int as n from contacts where external_id like 'hk-%' and attributes->>'round' = '3'",
        )
      ).rows as { n: number }[];
      expect(rows[0]?.n).toBe(2000);
    } finally {
      await db.close();
    }
  }, 120_000);
});
