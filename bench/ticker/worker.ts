import { createInterface } from "node:readline";
import { connect } from "../../server/db/connect.ts";
import { fieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { tickOnce } from "../../server/runtime/ticker.ts";
import { BENCH_DUE } from "./fixture.ts";
import { trivialStep } from "./trivial-step.ts";

/**
 * One benchmark worker process: waits for "go" on stdin (so all workers start together), then
 * runs ticker batches until nothing is due, and prints what it did as one JSON line.
 * Usage: worker.ts <url> <batchSize> <engine|floor>
 */
const [url = "", batchArg = "1000", mode = "engine"] = process.argv.slice(2);
const batchSize = Number(batchArg);
const db = await connect({ url, poolMax: 2 });
const crypto = fieldCrypto("bench-secret-bench-secret-bench-secret");
const policy = policyCache(db.knex, "UTC", 60_000);
await policy(BENCH_DUE);
process.stdout.write("ready\n");
await new Promise<void>((done) =>
  createInterface({ input: process.stdin }).once("line", () => done()),
);

const started = performance.now();
let users = 0;
let messages = 0;
const phases = { claim: 0, load: 0, step: 0, write: 0 };
for (;;) {
  const r = await tickOnce({
    knex: db.knex,
    crypto,
    policy,
    linkBase: "https://wm.example",
    batchSize,
    now: () => new Date(BENCH_DUE),
    // As `waymark worker` runs it: a batch that queues messages NOTIFYs delivery (issue 12).
    notifyOutbox: true,
    ...(mode === "floor" ? { step: trivialStep } : {}),
  });
  if (r.claimed === 0) break;
  users += r.claimed;
  messages += r.messages;
  for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k] += r.phases[k];
}
process.stdout.write(
  `${JSON.stringify({ users, messages, ms: performance.now() - started, phases })}\n`,
);
await db.close();
process.exit(0);
