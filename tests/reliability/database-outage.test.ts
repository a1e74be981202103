import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import knex from "knex";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLI,
  ROOT,
  runCli,
  type Started,
  startWaymark,
  tempDir,
} from "../helpers/server-process.ts";
import { until } from "../helpers/time.ts";
import { type CountingProvider, startCountingProvider } from "./counting-provider.ts";
import {
  canRunPrivateCluster,
  type PrivateCluster,
  startPrivateCluster,
} from "./private-cluster.ts";

const JOURNEY = {
  format: "waymark/journey@1",
  id: "welcome",
  name: "Welcome",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "signed_up" } },
    { id: "wait", type: "wait", wait: { kind: "duration", duration: "PT1S" } },
    {
      id: "sms",
      type: "send",
      send: {
        channel: "sms",
        category: "transactional",
        template: "Welcome, {{ user.firstName }}",
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "wait" },
    { from: "wait", to: "sms" },
    { from: "sms", to: "done" },
  ],
};

interface Outcome {
  status: number | "error";
  ms: number;
  at: number;
}

/**
 * The database goes away under load and comes back: a real `waymark start` and a real
 * `waymark worker` on a PostgreSQL cluster of the test's own (never the shared one), users and
 * events arriving through the ingest API, users waiting and being sent SMS through a provider
 * that counts every request per idempotency key and deduplicates nothing. Three faults in a
 * row — every Waymark backend terminated, `pg_ctl restart -m fast`, an immediate-mode stop held
 * for a few seconds then a start — and after each the same two processes carry on by themselves.
 * At the end every acknowledged (200) user and event is stored, every such user got exactly one
 * SMS, and no key was accepted twice. While the database is down the API answers 503 at once.
 */
describe.runIf(canRunPrivateCluster())("the database goes away and comes back", () => {
  let cluster: PrivateCluster | undefined;
  let provider: CountingProvider | undefined;
  let server: Started | undefined;
  let worker: ChildProcess | undefined;
  const logs = { server: "", worker: "" };
  afterAll(async () => {
    // For a post-mortem: what both processes logged.
    mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
    writeFileSync(join(ROOT, "test-artifacts/database-outage-server.log"), logs.server);
    writeFileSync(join(ROOT, "test-artifacts/database-outage-worker.log"), logs.worker);
    worker?.kill("SIGKILL");
    await server?.stop();
    await provider?.close();
    await cluster?.destroy();
  });

  it("terminated backends, a fast restart and an immediate stop: same processes recover, nothing lost, nobody messaged twice", async () => {
    cluster = await startPrivateCluster();
    provider = await startCountingProvider();
    const fake = provider;
    const env: Record<string, string> = {
      DATABASE_URL: cluster.url("waymark"),
      WAYMARK_SECRET: "outage-test-secret-outage-test-secret!!",
      WAYMARK_DATA_DIR: tempDir(),
      WAYMARK_SERVE_CLIENT: "false",
      WAYMARK_DEMO_SEED: "false",
      WAYMARK_SMS_PROVIDER: "webhook",
      WAYMARK_WEBHOOK_URL: provider.url,
      WAYMARK_WEBHOOK_SECRET: "outage-webhook-secret",
      WAYMARK_SMS_RATE_LIMIT: "0",
      WAYMARK_DELIVERY_POLL_MS: "100",
      LOG_LEVEL: "warn",
    };
    const writeKey = (await runCli(["keys", "create", "--kind", "write"], env)).stdout.trim();
    const secretKey = (await runCli(["keys", "create", "--kind", "secret"], env)).stdout.trim();
    expect(writeKey).toMatch(/^wk_/);
    server = await startWaymark(env);
    const base = server.url;
    server.child.stdout?.on("data", (d: Buffer) => {
      logs.server += d.toString();
    });
    server.child.stderr?.on("data", (d: Buffer) => {
      logs.server += d.toString();
    });
    worker = spawn(process.execPath, [CLI, "worker"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker.stdout?.on("data", (d: Buffer) => {
      logs.worker += d.toString();
    });
    worker.stderr?.on("data", (d: Buffer) => {
      logs.worker += d.toString();
    });
    await until("the worker is running", async () => logs.worker.includes("running"), 30_000);
    const pids = { server: server.child.pid, worker: worker.pid };

    const admin = { authorization: `Bearer ${secretKey}`, "content-type": "application/json" };
    expect(
      (
        await fetch(`${base}/api/journeys`, {
          method: "POST",
          headers: admin,
          body: JSON.stringify(JOURNEY),
        })
      ).status,
    ).toBe(201);
    expect(
      (await fetch(`${base}/api/journeys/welcome/publish`, { method: "POST", headers: admin }))
        .status,
    ).toBe(200);

    const ingestHeaders = {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
      "content-type": "application/json",
    };
    const acked = new Set<string>();
    const outcomes: Outcome[] = [];
    let next = 0;
    /** One batch: identify + signed_up for `n` new users; their ids count only on a 200. */
    const ingest = async (n: number, prefix = "u"): Promise<Outcome & { users: string[] }> => {
      const users = Array.from({ length: n }, () => `${prefix}${++next}`);
      const batch = users.flatMap((userId, i) => [
        {
          type: "identify",
          userId,
          traits: {
            firstName: `F${userId}`,
            phone: `+1202555${String((next + i) % 10_000).padStart(4, "0")}`,
          },
        },
        { type: "track", userId, event: "signed_up", messageId: `signup-${userId}` },
      ]);
      const started = performance.now();
      let status: Outcome["status"];
      try {
        const res = await fetch(`${base}/v1/batch`, {
          method: "POST",
          headers: ingestHeaders,
          body: JSON.stringify({ batch }),
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = "error";
      }
      const outcome = { status, ms: performance.now() - started, at: performance.now(), users };
      if (status === 200) for (const u of users) acked.add(u);
      outcomes.push(outcome);
      return outcome;
    };

    let traffic = true;
    const load = (async () => {
      while (traffic) {
        await ingest(10);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    /** After a fault: how long until ingest answers 200, and until a new user's SMS arrives. */
    const recovery = async (label: string, upAt: number) => {
      const api = await until(
        `${label}: ingest answers 200 again`,
        async () => {
          const o = await ingest(1, "probe");
          return o.status === 200 ? o : null;
        },
        60_000,
        100,
      );
      const probe = api.users[0] ?? "";
      const key = await until(
        `${label}: a user who arrived after it gets the SMS`,
        async () => [...fake.bodies].find(([, body]) => body.includes(`F${probe}`))?.[0],
        60_000,
        50,
      );
      const delivered = fake.firstAt.get(key) ?? 0;
      return {
        label,
        apiMs: Math.round(api.at - upAt),
        // Includes the journey's 1 s wait.
        smsMs: Math.round(delivered - upAt),
      };
    };

    await new Promise((r) => setTimeout(r, 3000));
    const results: { label: string; apiMs: number; smsMs: number }[] = [];

    // (a) Every Waymark session is killed by the database; it stays up.
    const killed = await cluster.terminate("waymark");
    expect(killed).toBeGreaterThan(0);
    results.push(await recovery("terminate", performance.now()));

    // (b) A fast restart: sessions ended, checkpoint, back up.
    await new Promise((r) => setTimeout(r, 2000));
    await cluster.restartFast();
    results.push(await recovery("restart -m fast", performance.now()));

    // (c) An immediate stop, as a crash looks to the sessions; down for 3 s, then started.
    await new Promise((r) => setTimeout(r, 2000));
    await cluster.stopImmediate();
    const downAt = performance.now();
    const whileDown: Outcome[] = [];
    while (performance.now() - downAt < 3000) {
      const started = performance.now();
      let status: Outcome["status"] = "error";
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${base}/api/journeys`, {
          headers: admin,
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        retryAfter = res.headers.get("retry-after");
        await res.arrayBuffer();
      } catch {
        status = "error";
      }
      whileDown.push({ status, ms: performance.now() - started, at: started });
      if (status === 503) expect(retryAfter).toBe("2");
      await new Promise((r) => setTimeout(r, 200));
    }
    await cluster.start();
    results.push(await recovery("stop -m immediate, 3 s down, start", performance.now()));

    await new Promise((r) => setTimeout(r, 2000));
    traffic = false;
    await load;

    // While the database was down the API said so at once: 503, never a 500 or a hang.
    expect(whileDown.length).toBeGreaterThan(3);
    expect(whileDown.every((o) => o.status === 503)).toBe(true);
    expect(Math.max(...whileDown.map((o) => o.ms))).toBeLessThan(6000);
    // Ingest during the faults: acknowledged, refused with 503, or (a connection cut mid-request)
    // an error — never a 500.
    const statuses = new Map<string, number>();
    for (const o of outcomes)
      statuses.set(String(o.status), (statuses.get(String(o.status)) ?? 0) + 1);
    expect([...statuses.keys()].filter((s) => s !== "200" && s !== "503" && s !== "error")).toEqual(
      [],
    );

    // Every acknowledged user gets their SMS, exactly once.
    const db = knex({ client: "pg", connection: cluster.url("waymark"), pool: { min: 0, max: 2 } });
    try {
      await until(
        "every acknowledged user's SMS accepted by the provider",
        async () => {
          const r = (await db.raw(
            `select count(*) filter (where m.status = 'sent') as sent, count(*) as total
               from messages m`,
          )) as { rows: { sent: string; total: string }[] };
          return Number(r.rows[0]?.sent) >= acked.size && fake.accepted.size >= acked.size;
        },
        120_000,
        250,
      );
      const ackedIds = [...acked];
      const stored = (await db.raw(
        "select count(*) as n from contacts where external_id = any(?)",
        [ackedIds],
      )) as {
        rows: { n: string }[];
      };
      expect(Number(stored.rows[0]?.n)).toBe(acked.size);
      const events = (await db.raw("select count(*) as n from events where message_id = any(?)", [
        ackedIds.map((u) => `signup-${u}`),
      ])) as { rows: { n: string }[] };
      expect(Number(events.rows[0]?.n)).toBe(acked.size);
      const perUser = (await db.raw(
        `select c.external_id, count(m.id) as n
           from contacts c left join messages m on m.contact_id = c.id and m.status = 'sent'
          where c.external_id = any(?) group by c.external_id having count(m.id) <> 1`,
        [ackedIds],
      )) as { rows: { external_id: string; n: string }[] };
      expect(perUser.rows).toEqual([]);
    } finally {
      await db.destroy();
    }
    const twice = [...provider.accepted].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);

    // The same two processes, still running, and nothing reached the process-level guard.
    expect(server.child.exitCode).toBeNull();
    expect(worker.exitCode).toBeNull();
    expect([server.child.pid, worker.pid]).toEqual([pids.server, pids.worker]);
    for (const text of [logs.server, logs.worker]) {
      expect(text).not.toContain("reached the process");
      expect(text).not.toContain("unexpected error; exiting");
    }
    console.log(
      `database outage: ${acked.size} users acknowledged, ${outcomes.length} ingest requests ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `${provider.requests()} provider requests, ${provider.accepted.size} keys; while down: ${whileDown.length} requests, ` +
        `max ${Math.round(Math.max(...whileDown.map((o) => o.ms)))} ms; recovery (ms after the database was back): ${JSON.stringify(results)}; ` +
        `log lines: server ${logs.server.split("\n").length}, worker ${logs.worker.split("\n").length}`,
    );
  }, 300_000);
});
