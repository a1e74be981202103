import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { createPostgresDatabase } from "../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";
import { CLI, ROOT, tempDir } from "../helpers/server-process.ts";
import { middayZone, until } from "../helpers/time.ts";

const USERS = Number(process.env.CRASH_USERS ?? 20_000);
const WEBHOOK_USERS = Number(process.env.CRASH_WEBHOOK_USERS ?? 12_000);
const MIN_KILLS = 10;
// The providers answer slowly until the killer has done its MIN_KILLS kills, then at full
// speed: how fast a machine drains the work must not decide whether the kills land in it
// (a fast CI machine finished 12,000 webhook users after 9 kills). 200 calls in flight held
// 1 s each pass at most 200 messages/s, ~8,000 in the ~40 s the kills take.
const SLOW_ANSWER_MS = 1000;
let killsSoFar = 0;
const answerDelayMs = () => (killsSoFar < MIN_KILLS ? SLOW_ANSWER_MS : 0);

const JOURNEY = {
  format: "waymark/journey@1",
  id: "crash",
  name: "Crash test",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "PT1S" } },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, 1 of 2",
      },
    },
    { id: "wait2", type: "wait", wait: { kind: "duration", duration: "PT1S" } },
    {
      id: "sms2",
      type: "send",
      send: {
        channel: "sms",
        category: "transactional",
        template: "Your order shipped, {{ user.firstName }}",
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms1" },
    { from: "sms1", to: "wait2" },
    { from: "wait2", to: "sms2" },
    { from: "sms2", to: "done" },
  ],
};

/**
 * Exactly once under crashes (real PostgreSQL only: separate worker processes need a shared
 * database). Two `waymark worker` processes drain the users while one of them is killed with
 * SIGKILL at random moments and restarted. The providers do not deduplicate: a message a killed
 * worker handed over and the next worker sent again reaches the person twice, so the count of
 * such doubles is the measure — 0 for Twilio (its message list is asked first), and reported
 * for a webhook receiver without a lookup URL (the README states the number).
 */
describe.runIf(process.env.TEST_DATABASE_URL)("crash safety", () => {
  let twilio: FakeTwilio | undefined;
  let receiver: Server | undefined;
  const cleanup: (() => Promise<void>)[] = [];
  const workers = new Set<ChildProcess>();
  afterAll(async () => {
    for (const w of workers) w.kill("SIGKILL");
    await twilio?.close();
    receiver?.closeAllConnections();
    receiver?.close();
    for (const c of cleanup) await c();
  });

  /** Runs the crash scenario for `users` users; returns the kill count and the knex to check. */
  async function crashRun(users: number, providerEnv: Record<string, string>) {
    const pg = await createPostgresDatabase();
    const db: Database = await connect({ url: pg.url });
    cleanup.push(async () => {
      await db.close();
      await pg.drop();
    });
    await migrateLatest(db.knex);
    await createJourney(db.knex, JOURNEY, null);
    const { versionId } = await publishJourney(db.knex, "crash", null);
    const zone = middayZone();
    const consent = JSON.stringify({ sms: { promotional: { granted: true, source: "test" } } });
    await db.knex.raw(
      `insert into contacts (external_id, timezone, phone_encrypted, attributes, consent)
       select 'crash-' || g, ?, null, jsonb_build_object('firstName', 'U' || g), ?::jsonb from generate_series(1, ?) g`,
      [zone, consent, users],
    );
    const secret = "crash-test-secret-crash-test-secret!!";
    // Phones are encrypted with the workers' secret, so write them the way the server would.
    const { fieldCrypto } = await import("../../server/privacy/keys.ts");
    const crypto = fieldCrypto(secret);
    const ids = (await db.knex("contacts").select("id")) as { id: string }[];
    for (let i = 0; i < ids.length; i += 2000) {
      const chunk = ids.slice(i, i + 2000).map((r, j) => ({
        id: Number(r.id),
        phone: crypto.encrypt(`+1202555${String(1000 + ((i + j) % 9000)).padStart(4, "0")}`),
      }));
      await db.knex.raw(
        "update contacts c set phone_encrypted = x.phone from jsonb_to_recordset(?::jsonb) as x(id bigint, phone text) where c.id = x.id",
        [JSON.stringify(chunk)],
      );
    }
    const now = Date.now();
    await db.knex.raw(
      `insert into enrollments (contact_id, journey_id, version_id, current_node, entry_event)
       select id, 'crash', ?, 'start', jsonb_build_object('name', 'api.enroll', 'at', ?::bigint) from contacts`,
      [versionId, now],
    );
    await db.knex.raw(
      "insert into enrollment_wakeups (enrollment_id, contact_id, wake_at) select id, contact_id, now() from enrollments",
    );

    const env = {
      ...process.env,
      DATABASE_URL: pg.url,
      WAYMARK_SECRET: secret,
      WAYMARK_DATA_DIR: tempDir(),
      ...providerEnv,
      WAYMARK_SMS_RATE_LIMIT: "0",
      WAYMARK_DELIVERY_LEASE_MS: "3000",
      WAYMARK_DELIVERY_POLL_MS: "100",
      WAYMARK_DELIVERY_CONCURRENCY: "100",
      WAYMARK_DELIVERY_BATCH: "200",
      WAYMARK_TICK_BATCH: "500",
      LOG_LEVEL: "error",
    };
    // Like a process supervisor (systemd, Kubernetes), a worker that exits by itself is started
    // again; such exits are counted and reported, and must not be what the kills caused.
    const killedByUs = new WeakSet<ChildProcess>();
    const selfExits: string[] = [];
    let finishing = false;
    const spawnWorker = () => {
      const w = spawn(process.execPath, [CLI, "worker"], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "ignore", "inherit"],
      });
      workers.add(w);
      w.once("exit", (code, signal) => {
        workers.delete(w);
        if (killedByUs.has(w) || finishing) return;
        selfExits.push(`code ${code} signal ${signal}`);
        spawnWorker();
      });
      return w;
    };
    spawnWorker();
    spawnWorker();

    const knex = db.knex;
    const remaining = async () =>
      Number(
        (
          (await knex("enrollments").where({ status: "active" }).count("* as n").first()) as {
            n: string;
          }
        ).n,
      ) +
      Number(
        (
          (await knex("messages")
            .whereIn("status", ["queued", "sending"])
            .count("* as n")
            .first()) as { n: string }
        ).n,
      );

    let kills = 0;
    killsSoFar = 0;
    let stop = false;
    let killerDone = false;
    const killer = (async () => {
      // Kill at random moments while work remains; keep going until the minimum is reached.
      // A worker needs ~1.5 s to start (tsx, connect), so kills come every 2-4 s or nothing
      // would ever run.
      while (!stop) {
        await new Promise((r) => setTimeout(r, 2000 + Math.random() * 2000));
        if (stop) break;
        const victim = [...workers][Math.floor(Math.random() * workers.size)];
        if (!victim) continue;
        killedByUs.add(victim);
        victim.kill("SIGKILL");
        kills++;
        killsSoFar = kills;
        await new Promise((r) => victim.once("exit", r));
        spawnWorker();
        if (kills >= MIN_KILLS + 2 || (await remaining()) === 0) break;
      }
      killerDone = true;
    })();
    let last = -1;
    await until(
      "every user finished and every message sent",
      async () => {
        const left = await remaining();
        if (left !== last) {
          last = left;
          if (process.env.CRASH_VERBOSE) console.log(`crash test: ${left} left, ${kills} kills`);
        }
        // The work ended before enough kills landed in it: say so now, not after the wait.
        if (killerDone && kills < MIN_KILLS) {
          throw new Error(`the work ended after only ${kills} kills; give the run more users`);
        }
        return kills >= MIN_KILLS && left === 0;
      },
      360_000,
      500,
    ).catch(async (err: unknown) => {
      // What was left, so a timeout on a loaded CI machine says where the work stood.
      const messages = await knex.raw(
        `select status, count(*)::int as n, max(attempts) as max_attempts,
                min(next_attempt_at) as next_at, count(outcome_unknown_since)::int as in_doubt
           from messages group by status`,
      );
      const enrollments = await knex.raw(
        "select status, current_node, count(*)::int as n from enrollments group by 1, 2",
      );
      throw new Error(
        `${(err as Error).message}: ${kills} kills, ${workers.size} workers alive, workers that exited by themselves: [${selfExits.join("; ")}], messages ${JSON.stringify(messages.rows)}, enrollments ${JSON.stringify(enrollments.rows)}`,
      );
    });
    stop = true;
    finishing = true;
    await killer;
    if (selfExits.length > 0)
      console.log(`crash test: workers that exited by themselves: ${selfExits.join("; ")}`);
    for (const w of [...workers]) {
      w.kill("SIGTERM");
      await new Promise((r) => w.once("exit", r));
    }

    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    const finished = (await knex("enrollments")
      .where({ status: "completed" })
      .count("* as n")
      .first()) as { n: string };
    expect(Number(finished.n)).toBe(users);
    const perNode = (await knex("messages")
      .select("node_id")
      .count("* as n")
      .groupBy("node_id")
      .orderBy("node_id")) as { node_id: string; n: string }[];
    expect(perNode.map((r) => [r.node_id, Number(r.n)])).toEqual([
      ["sms1", users],
      ["sms2", users],
    ]);
    const dupes = await knex("messages")
      .select("enrollment_id", "node_id")
      .count("* as n")
      .groupBy("enrollment_id", "node_id")
      .havingRaw("count(*) > 1");
    expect(dupes).toEqual([]);
    const statuses = (await knex("messages")
      .select("status")
      .count("* as n")
      .groupBy("status")) as { status: string; n: string }[];
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([["sent", 2 * users]]);
    const providerKeys = (await knex("messages").pluck("provider_key")) as string[];
    return { kills, providerKeys };
  }

  it(`Twilio: ${USERS} users, two workers, ≥ ${MIN_KILLS} SIGKILLs: one message per send node, nobody gets one twice, everyone finishes`, async () => {
    twilio = await startFakeTwilio({ seed: 3, dedupe: false, answerDelayMs });
    const { kills, providerKeys } = await crashRun(USERS, {
      WAYMARK_SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: "+12025550100",
      TWILIO_BASE_URL: twilio.baseUrl,
    });
    // A killed worker's messages are reconciled against the provider's list before any resend:
    // nobody got a message twice, though the provider would have delivered a second copy.
    const duplicates = twilio.duplicates();
    console.log(
      `crash test (twilio): ${kills} SIGKILLs, ${twilio.requests.length} provider requests, ${twilio.lists.length} lookups, ${duplicates} duplicates delivered to a person`,
    );
    expect(duplicates).toBe(0);
    const tokens = twilio.deliveries.map((d) => d.token);
    expect(tokens.length).toBe(2 * USERS);
    expect(new Set(tokens)).toEqual(new Set(providerKeys));
  }, 450_000);

  it(`webhook without a lookup URL: ${WEBHOOK_USERS} users, ≥ ${MIN_KILLS} SIGKILLs: nothing lost; the duplicates a non-deduplicating receiver got are counted`, async () => {
    const received = new Map<string, number>();
    receiver = createServer((req, res) => {
      const key = req.headers["idempotency-key"];
      req.resume();
      req.on("end", () => {
        if (typeof key === "string") received.set(key, (received.get(key) ?? 0) + 1);
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200, { "content-type": "application/json" }).end("{}");
        }, answerDelayMs());
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const { kills, providerKeys } = await crashRun(WEBHOOK_USERS, {
      WAYMARK_SMS_PROVIDER: "webhook",
      WAYMARK_WEBHOOK_URL: url,
      WAYMARK_WEBHOOK_SECRET: "crash-webhook-secret-0123456789",
    });
    const copies = [...received.values()];
    const duplicates = copies.reduce((sum, n) => sum + n - 1, 0);
    console.log(
      `crash test (webhook, no lookup): ${kills} SIGKILLs, ${2 * WEBHOOK_USERS} messages, ${duplicates} duplicates delivered to a person (receiver does not deduplicate)`,
    );
    // Every message reached the receiver; the extra copies are bounded by what was in flight
    // at each kill (100 calls per channel per worker).
    expect(new Set(received.keys())).toEqual(new Set(providerKeys));
    expect(duplicates).toBeLessThanOrEqual(kills * 100);
  }, 450_000);
});
