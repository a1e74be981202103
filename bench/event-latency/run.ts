import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createApp } from "../../server/app.ts";
import { connect, type Database } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createActivity } from "../../server/http/activity.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { createLogger } from "../../server/log.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { startTicker } from "../../server/runtime/ticker.ts";
import { tempDir } from "../../tests/helpers/server-process.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { writeSection } from "../lib/report.ts";

/**
 * bench/event-latency: how long from an event's ingest to the journey's branch decision, while
 * events arrive at a steady rate (issue 4: p99 < 1 s at 1,000 events/s). N users wait at an
 * event branch ("purchased within a day"); a client posts Segment-style batches of `purchased`
 * at the given rate, one per user, and remembers when it sent each. The latency of a user is
 * the moment the ticker's batch that took the branch committed minus that send time. The API and
 * the ticker run in this one process, as `npm start` runs them, on PostgreSQL (default) or
 * PGlite (`--pglite`); the client in a process of its own (sender.ts).
 *
 *   npm run bench -- event-latency [--users 20000] [--rate 1000] [--pglite]
 */
const { values } = parseArgs({
  options: {
    users: { type: "string", default: "20000" },
    rate: { type: "string", default: "1000" },
    pglite: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const users = Number(values.users);
const rate = Number(values.rate);
const kind = values.pglite ? "pglite" : "postgres";

const db: Database = values.pglite
  ? await connect({ pgliteDir: tempDir("waymark-bench-events-") })
  : await connect({ url: await freshBenchDatabase("waymark_bench_events", "event-latency") });
await migrateLatest(db.knex);
await createJourney(
  db.knex,
  {
    format: "waymark/journey@1",
    id: "thanks",
    name: "Thank buyers",
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: "visited" } },
      {
        id: "bought",
        type: "branch",
        branch: { kind: "event", event: "purchased", within: "P1D" },
      },
      {
        id: "thank",
        type: "send",
        send: { channel: "sms", category: "transactional", template: "Thanks {{ user.name }}!" },
      },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "bought" },
      { from: "bought", to: "thank", path: "yes" },
      { from: "bought", to: "done", path: "no" },
      { from: "thank", to: "done" },
    ],
  },
  null,
);
await publishJourney(db.knex, "thanks", null);

const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
// As server/server.ts wires PGlite: the ticker lets API requests in flight finish first.
const activity = kind === "pglite" ? createActivity() : undefined;
// As server.ts: requests that make users due nudge the ticker (bound once it has started).
let nudgeTicker = () => {};
const app = createApp({
  onDue: () => nudgeTicker(),
  ...(activity ? { activity } : {}),
  db,
  log: createLogger("silent"),
  crypto,
  delivery: loadDeliveryConfig({}),
  serveClient: false,
});
const http = createServer(app);
await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const { key } = await createApiKey(db.knex, "write", "bench", null);
const auth = `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
const post = async (items: unknown[]) => {
  const res = await fetch(`${base}/v1/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: auth },
    body: JSON.stringify({ batch: items }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
};

// The server's own ticker settings for this database (server/server.ts). A decision is visible
// when its batch commits: onBatch runs right after the commit.
const decidedAt = new Map<number, number>();
const ticker = startTicker({
  onBatch: (stats) => {
    const now = Date.now();
    for (const row of stats.log) if (row.type === "branched") decidedAt.set(row.contact_id, now);
  },
  knex: db.knex,
  crypto,
  policy: policyCache(db.knex, "UTC"),
  linkBase: base,
  batchSize: kind === "pglite" ? 500 : 1000,
  ...(activity ? { batchMs: 100, yieldMs: 2, nudgeGapMs: 50, gate: activity.background } : {}),
});
nudgeTicker = ticker.nudge;

console.log(`entering ${users.toLocaleString("en-US")} users on ${kind}…`);
const id = (i: number) => `buyer-${i}`;
for (let i = 0; i < users; i += 250) {
  const items = [];
  for (let j = i; j < Math.min(users, i + 250); j++) {
    items.push({ type: "identify", userId: id(j), traits: { name: `B${j}` } });
    items.push({ type: "track", userId: id(j), event: "visited", messageId: `v-${j}` });
  }
  await post(items);
}
const waiting = async () =>
  Number(
    (
      (await db
        .knex("enrollments")
        .where({ journey_id: "thanks", current_node: "bought", status: "active" })
        .count("* as n")
        .first()) as { n: string | number }
    ).n,
  );
while ((await waiting()) < users) await new Promise((r) => setTimeout(r, 200));

// The measured part: `rate` events per second in batches every 10 ms, one per user, from a
// process of its own (sender.ts says why).
console.log(`sending ${users.toLocaleString("en-US")} purchases at ${rate}/s…`);
const sender = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    join(import.meta.dirname, "sender.ts"),
    base,
    auth,
    String(users),
    String(rate),
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
let out = "";
sender.stdout.on("data", (chunk: Buffer) => {
  out += chunk.toString();
});
const code = await new Promise<number | null>((done) => sender.once("exit", done));
const sent = JSON.parse(out) as { sentAt: number[]; errors: number; sendSeconds: number };
if (code !== 0 || sent.errors > 0)
  throw new Error(`${sent.errors} ingest requests failed (sender exit ${code})`);
const sendSeconds = sent.sendSeconds;
const sentAt = new Map(sent.sentAt.map((at, i) => [id(i), at]));

const deadline = Date.now() + 60_000;
while (decidedAt.size < users && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 100));
}
const contacts = (await db.knex("contacts").select("id", "external_id")) as {
  id: string | number;
  external_id: string;
}[];
await ticker.stop();
http.closeAllConnections();
http.close();
await db.close();
if (decidedAt.size < users) {
  throw new Error(`only ${decidedAt.size} of ${users} decided within 60 s`);
}

const latencies = contacts
  .flatMap((c) => {
    const sent = sentAt.get(c.external_id);
    const decided = decidedAt.get(Number(c.id));
    return sent === undefined || decided === undefined ? [] : [decided - sent];
  })
  .sort((a, b) => a - b);
if (latencies.length !== users) throw new Error(`${latencies.length} latencies for ${users} users`);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
const line = `| ${kind} | ${users.toLocaleString("en-US")} | ${Math.round(users / sendSeconds).toLocaleString("en-US")}/s | ${pct(50)} ms | ${pct(95)} ms | ${pct(99)} ms | ${latencies.at(-1) ?? 0} ms |`;
console.log(line);
writeSection(
  `event-latency-${kind}`,
  `Event to branch decision (${kind === "pglite" ? "PGlite" : "PostgreSQL"})`,
  `Users wait at an event branch ("purchased within a day"); a client posts \`purchased\` to \`/v1/batch\` at a steady rate, one per user, in batches every 10 ms. Latency = when the ticker's batch that took the branch committed − the client's send time; API and ticker in one process with the server's ticker settings, the client in a process of its own. \`npm run bench -- event-latency${kind === "pglite" ? " --pglite" : ""} --users ${users} --rate ${rate}\`.

| database | events | rate achieved | p50 | p95 | p99 | max |
|---|---|---|---|---|---|---|
${line}

Target (issue 4): p99 < 1 s at 1,000 events/s.`,
);
process.exit(0);
