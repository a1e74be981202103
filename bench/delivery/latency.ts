import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Knex } from "knex";
import { type DeliveryWorker, startDeliveryWorker } from "../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import type { FieldCrypto } from "../../server/privacy/keys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { startTicker } from "../../server/runtime/ticker.ts";
import { startFakeTwilio } from "../../tests/helpers/fake-twilio.ts";
import { fakeTwilioProvider } from "../../tests/helpers/fake-twilio-provider.ts";

/**
 * Send latency: users come due at a steady rate (wake-ups spread over the run), the ticker
 * (idle poll 250 ms, as in production) steps them into one SMS each, and delivery hands the SMS
 * to a local provider. Latency of a message: when the provider got it minus when its user was
 * due; "written" is the outbox row's created_at (the ticker batch's time), so written → provider
 * is delivery's own share. Modes:
 *  - poll: delivery finds rows at its 500 ms poll (before issue 12);
 *  - wake: the ticker's commit wakes delivery in the same process (what `waymark start` does);
 *  - notify: delivery in another process, woken by NOTIFY waymark_outbox (`waymark worker`).
 */
export type LatencyMode = "poll" | "wake" | "notify";

export interface LatencyResult {
  mode: LatencyMode;
  dueMs: number[];
  writtenMs: number[];
}

const JOURNEY = {
  format: "waymark/journey@1",
  id: "latency",
  name: "Latency",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "transactional",
        template: "Your order {{ user.n }} shipped",
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

export async function prepareLatency(knex: Knex): Promise<number> {
  await createJourney(knex, JOURNEY, null);
  const { versionId, issues } = await publishJourney(knex, "latency", null);
  if (versionId === null)
    throw new Error(`latency journey not published: ${JSON.stringify(issues)}`);
  return versionId;
}

export async function runLatency(
  knex: Knex,
  url: string,
  crypto: FieldCrypto,
  secret: string,
  options: { mode: LatencyMode; versionId: number; rate: number; seconds: number },
): Promise<LatencyResult> {
  const { mode, rate, seconds } = options;
  await knex.raw("truncate messages, enrollments, contacts restart identity cascade");
  const count = rate * seconds;
  const phone = crypto.encrypt("+12025550199");
  const t0 = Date.now() + 3000; // the first user is due 3 s from now, then one every 1/rate s
  await knex.raw(
    `insert into contacts (external_id, phone_encrypted, phone_country, timezone, attributes)
     select 'lat-' || g, ?, 'US', 'UTC', jsonb_build_object('n', g) from generate_series(0, ? - 1) g`,
    [phone, count],
  );
  await knex.raw(
    `insert into enrollments (contact_id, journey_id, version_id, current_node, entry_event)
     select id, 'latency', ?, 'start', jsonb_build_object('name', 'api.enroll', 'at', ?::bigint) from contacts`,
    [options.versionId, t0],
  );
  await knex.raw(
    `insert into enrollment_wakeups (enrollment_id, contact_id, wake_at)
     select e.id, e.contact_id, to_timestamp((? + (c.attributes->>'n')::bigint * 1000.0 / ?) / 1000.0)
       from enrollments e join contacts c on c.id = e.contact_id`,
    [t0, rate],
  );
  const fake = await startFakeTwilio({ dedupe: false });
  const providers = {
    sms: fakeTwilioProvider(fake, { timeoutMs: 10_000 }),
  };
  let local: DeliveryWorker | null = null;
  let child: ChildProcess | null = null;
  if (mode === "notify") {
    child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        resolve(import.meta.dirname, "worker.ts"),
        url,
        fake.baseUrl,
        fake.accountSid,
        fake.authToken,
        secret,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((done) =>
      child?.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && done()),
    );
  } else {
    local = startDeliveryWorker({
      knex,
      crypto,
      providers,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      workerId: "bench-latency",
    });
  }
  const deliveryWorker = local;
  const ticker = startTicker({
    knex,
    crypto,
    policy: policyCache(knex, "UTC", 60_000),
    linkBase: "https://wm.example",
    batchSize: 1000,
    ...(mode === "wake" && deliveryWorker ? { onMessages: () => deliveryWorker.wake() } : {}),
    ...(mode === "notify" ? { notifyOutbox: true } : {}),
  });
  const deadline = t0 + seconds * 1000 + 30_000;
  while (fake.deliveries.length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await ticker.stop();
  await local?.stop();
  if (child) {
    child.kill("SIGTERM");
    await new Promise((done) => child?.once("exit", done));
  }
  await fake.close();
  if (fake.deliveries.length < count) {
    throw new Error(`latency (${mode}): ${fake.deliveries.length} of ${count} at the provider`);
  }
  const rows = (await knex("messages as m")
    .join("contacts as c", "c.id", "m.contact_id")
    .select("m.provider_key", "m.created_at", "c.attributes")) as {
    provider_key: string;
    created_at: Date;
    attributes: { n: number };
  }[];
  const byKey = new Map(rows.map((r) => [r.provider_key, r]));
  const dueMs: number[] = [];
  const writtenMs: number[] = [];
  for (const d of fake.deliveries) {
    const row = d.token ? byKey.get(d.token) : undefined;
    if (!row) continue;
    const at = performance.timeOrigin + d.at;
    dueMs.push(at - (t0 + (row.attributes.n * 1000) / rate));
    writtenMs.push(at - new Date(row.created_at).getTime());
  }
  return { mode, dueMs, writtenMs };
}
