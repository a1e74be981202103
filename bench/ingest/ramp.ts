import type { Knex } from "knex";
import { type BenchServer, branchJourney, pct, publish } from "./server.ts";

/**
 * Where PostgreSQL starts answering 503, and what an event → branch decision costs at that
 * load. `waiting` users wait at an event branch ("ramp_answer within a day"). Then, for each
 * offered rate, a client posts background tracks for `seconds` in batches of 100 on a fixed
 * schedule (open loop: it does not wait for answers, as many independent senders would not),
 * plus `answers`/s answer events from users still waiting, each remembered with its send time.
 * Latency = the ticker batch time of that user's branch decision (enrollment_log `at`; the
 * batch commits within its own duration after it) − the send time.
 */
export interface RampStep {
  offered: number;
  accepted: number;
  refused: number;
  other: number;
  p50: number | null;
  p99: number | null;
  decided: number;
  asked: number;
}

export async function ramp(options: {
  server: BenchServer;
  db: Knex;
  rates: number[];
  seconds: number;
  waiting: number;
  answers: number;
  users: number;
}): Promise<RampStep[]> {
  const { server, db } = options;
  await publish(server, branchJourney("bench-ramp", "ramp_enter", "ramp_answer"));
  const auth = `Basic ${Buffer.from(`${server.writeKey}:`).toString("base64")}`;
  const post = async (batch: unknown[]): Promise<number> => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth },
      body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const user = (i: number) => `ramp-${i}`;
  for (let i = 0; i < options.waiting; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(options.waiting, i + 250); j++) {
      batch.push({ type: "track", userId: user(j), event: "ramp_enter", messageId: `enter-${j}` });
    }
    if ((await post(batch)) !== 200) throw new Error("could not enter the ramp users");
  }
  const atBranch = async () =>
    Number(
      (
        (await db("enrollments")
          .where({ journey_id: "bench-ramp", current_node: "asked", status: "active" })
          .count("* as n")
          .first()) as { n: string | number }
      ).n,
    );
  const deadline = Date.now() + 120_000;
  while ((await atBranch()) < options.waiting && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }

  const steps: RampStep[] = [];
  let nextAnswer = 0;
  for (const rate of options.rates) {
    const sentAt = new Map<string, number>();
    const counts = { accepted: 0, refused: 0, other: 0 };
    const inflight: Promise<void>[] = [];
    const tickMs = 10;
    const perTick = rate / (1000 / tickMs);
    const answersPerTick = options.answers / (1000 / tickMs);
    let owed = 0;
    let owedAnswers = 0;
    const started = Date.now();
    for (let tick = 0; Date.now() - started < options.seconds * 1000; tick++) {
      const due = started + tick * tickMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      owed += perTick;
      owedAnswers += answersPerTick;
      const answers: Record<string, unknown>[] = [];
      const answered: string[] = [];
      while (owedAnswers >= 1 && nextAnswer < options.waiting) {
        owedAnswers--;
        const u = user(nextAnswer++);
        answered.push(u);
        answers.push({ type: "track", userId: u, event: "ramp_answer", messageId: `answer-${u}` });
      }
      if (answers.length > 0) inflight.push(send(answers, answered, counts, sentAt, post));
      const batch: Record<string, unknown>[] = [];
      while (owed >= 1) {
        owed--;
        batch.push({
          type: "track",
          userId: `user-${Math.floor(Math.random() * options.users)}`,
          event: "viewed_product",
          properties: { sku: "SKU-1", source: "ramp" },
        });
        if (batch.length === 100) inflight.push(send(batch.splice(0), [], counts, sentAt, post));
      }
      if (batch.length > 0) inflight.push(send(batch.splice(0), [], counts, sentAt, post));
    }
    await Promise.all(inflight);
    const achieved = (counts.accepted * 1000) / Math.max(1, Date.now() - started);
    // Let the ticker decide what was accepted, then read when it did.
    const until = Date.now() + 30_000;
    let decided: { external_id: string; at: Date }[] = [];
    do {
      await new Promise((r) => setTimeout(r, 500));
      decided = (await db("enrollment_log as l")
        .join("contacts as c", "c.id", "l.contact_id")
        .where({ "l.journey_id": "bench-ramp", "l.type": "branched" })
        .whereIn("c.external_id", [...sentAt.keys()])
        .select("c.external_id", "l.at")) as { external_id: string; at: Date }[];
    } while (decided.length < sentAt.size && Date.now() < until);
    const latencies = decided
      .map((d) => new Date(d.at).getTime() - (sentAt.get(d.external_id) ?? 0))
      .sort((a, b) => a - b);
    steps.push({
      offered: rate,
      accepted: Math.round(achieved),
      refused: counts.refused,
      other: counts.other,
      p50: latencies.length ? pct(latencies, 50) : null,
      p99: latencies.length ? pct(latencies, 99) : null,
      decided: decided.length,
      asked: sentAt.size,
    });
    console.log(`  ramp ${rate}/s:`, JSON.stringify(steps.at(-1)));
    const total = counts.accepted + counts.refused + counts.other;
    if (counts.refused > total * 0.2 || nextAnswer >= options.waiting) break;
  }
  return steps;
}

async function send(
  batch: Record<string, unknown>[],
  answered: string[],
  counts: { accepted: number; refused: number; other: number },
  sentAt: Map<string, number>,
  post: (batch: unknown[]) => Promise<number>,
): Promise<void> {
  const t = Date.now();
  for (const u of answered) sentAt.set(u, t);
  const status = await post(batch).catch(() => 0);
  if (status === 200) counts.accepted += batch.length;
  else {
    // Refused answers were not stored: they cannot be decided, so they are not sampled.
    for (const u of answered) sentAt.delete(u);
    if (status === 503) counts.refused += batch.length;
    else counts.other += batch.length;
  }
}
