import { createInterface } from "node:readline";
import { connect } from "../../server/db/connect.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { tickOnce } from "../../server/runtime/ticker.ts";
import { BENCH_DUE } from "./fixture.ts";
import { physicalTick } from "./physical-floor.ts";
import { loadSample, replayStep } from "./replay-step.ts";

/**
 * One benchmark worker process: waits for "go" on stdin (so all workers start together), then
 * runs batches until nothing is due, and prints what it did as one JSON line.
 * Usage: worker.ts <url> <batchSize> <engine|replay|physical> [sample.json for replay]
 *   engine   — the ticker as `waymark worker` runs it
 *   replay   — the ticker's statements with the engine's recorded rows, no engine (replay-step.ts)
 *   physical — claim, one update, one outbox insert (physical-floor.ts)
 */
const [url = "", batchArg = "1000", mode = "engine", sampleFile = ""] = process.argv.slice(2);
const batchSize = Number(batchArg);
const db = await connect({ url, poolMax: 2 });
const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
const policy = policyCache(db.knex, "UTC", 60_000);
await policy(BENCH_DUE);
const step = mode === "replay" ? replayStep(loadSample(sampleFile)) : undefined;
process.stdout.write("ready\n");
await new Promise<void>((done) =>
  createInterface({ input: process.stdin }).once("line", () => done()),
);

const started = performance.now();
let users = 0;
const phases = { claim: 0, load: 0, step: 0, write: 0 };
for (;;) {
  if (mode === "physical") {
    const r = await physicalTick(db.knex, new Date(BENCH_DUE), batchSize);
    if (r.claimed === 0) break;
    users += r.claimed;
    continue;
  }
  const r = await tickOnce({
    knex: db.knex,
    crypto,
    policy,
    linkBase: "https://wm.example",
    batchSize,
    now: () => new Date(BENCH_DUE),
    // As `waymark worker` runs it: a batch that queues messages NOTIFYs delivery (issue 12).
    notifyOutbox: true,
    ...(step ? { step } : {}),
  });
  if (r.claimed === 0) break;
  users += r.claimed;
  for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k] += r.phases[k];
}
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(
  `${JSON.stringify({ users, ms: performance.now() - started, phases, peakRssMiB })}\n`,
);
await db.close();
process.exit(0);
