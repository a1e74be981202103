import { createInterface } from "node:readline";
import knexLib from "knex";
import PgBoss from "pg-boss";
import { advance } from "../../engine/advance.ts";
import { compile } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { defaultPolicy } from "../../engine/rules/policy.ts";
import type { EnrollmentSnapshot } from "../../engine/snapshot.ts";
import { BENCH_DUE, BENCH_JOURNEY } from "./fixture.ts";

interface StepJob {
  enrollmentId: number;
  contactId: number;
  versionId: number;
  snapshot: EnrollmentSnapshot;
  attributes: Record<string, unknown>;
}

const [url = "", batchArg = "1000"] = process.argv.slice(2);
const knex = knexLib({ client: "pg", connection: url, pool: { min: 1, max: 2 } });
const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 4 });
boss.on("error", (err) => console.error("pg-boss worker:", err));
await boss.start();
const policy = defaultPolicy({ workspaceTimezone: "UTC" });
process.stdout.write("ready\n");
await new Promise<void>((done) =>
  createInterface({ input: process.stdin }).once("line", () => done()),
);

await boss.work<StepJob>(
  "step",
  { batchSize: Number(batchArg), pollingIntervalSeconds: 0.5 },
  async (jobs) => {
    const messages: Record<string, unknown>[] = [];
    const next: { name: string; data: StepJob; startAfter: Date }[] = [];
    for (const job of jobs) {
      const d = job.data;
      const compiled = compile({
        versionId: String(d.versionId),
        journey: BENCH_JOURNEY as unknown as Journey,
      });
      const r = advance(
        compiled,
        d.snapshot,
        {
          now: BENCH_DUE,
          policy,
          contact: {
            id: String(d.contactId),
            attributes: d.attributes,
            consent: { sms: { promotional: { granted: true } } },
            optOuts: [],
            recentSends: [],
            cooldowns: [],
            timezone: "Asia/Shanghai",
          },
        },
        { random: Math.random },
      );
      for (const e of r.effects) {
        if (e.type !== "send") continue;
        messages.push({
          idempotency_key: e.idempotencyKey,
          contact_id: d.contactId,
          enrollment_id: d.enrollmentId,
          journey_id: "bench",
          node_id: e.nodeId,
          channel: e.channel,
          category: e.category,
          body: e.body,
          encoding: e.encoding,
          parts: e.parts,
        });
      }
      if (r.status === "active" && r.wakeAt !== null) {
        next.push({
          name: "step",
          data: { ...d, snapshot: r.snapshot },
          startAfter: new Date(r.wakeAt),
        });
      }
    }
    if (messages.length)
      await knex("messages").insert(messages).onConflict("idempotency_key").ignore();
    if (next.length) await boss.insert(next);
    // Progress for the parent, which must not poll the database itself (a count(*) over the
    // outbox every few ms would take CPU from the workers it is timing).
    process.stdout.write(`done ${jobs.length}\n`);
  },
);
process.once("SIGTERM", async () => {
  await boss.stop({ graceful: false, wait: false });
  await knex.destroy();
  process.exit(0);
});
