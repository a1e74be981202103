import type { Knex } from "knex";
import { startDeliveryWorker } from "../../server/delivery/worker.ts";
import type { FieldCrypto } from "../../server/privacy/keys.ts";
import { type FaultKind, startFakeTwilio } from "../../tests/helpers/fake-twilio.ts";
import { fakeTwilioProvider } from "../../tests/helpers/fake-twilio-provider.ts";

/**
 * One throughput run: `messages` queued SMS, one delivery worker in this process (as `waymark
 * start` runs it) with the default settings the issue measured (10 in flight per channel, 10 s
 * timeout, no rate limit), and a Twilio-shaped provider on loopback where `hang` of the requests
 * are accepted and never answered and 2% are answered 500 (so there are retries to time). The
 * provider does not deduplicate: a message it got twice is a duplicate a person received.
 */
export interface ThroughputResult {
  hang: number;
  /**
   * Distinct messages the provider accepted per second, over the time it took to have 95% of
   * them (the rest are mostly the 2% whose first call got a 500 and wait for their retry).
   */
  providerPerSecond: number;
  /** Until every message was recorded as sent (a hung one: timeout + reconcile). */
  drainMs: number;
  retryLateMs: number[];
  duplicates: number;
  lookups: number;
}

const RETRY_BASE_MS = 2000;

export async function queueMessages(knex: Knex, crypto: FieldCrypto, count: number) {
  await knex.raw("truncate messages, contacts restart identity cascade");
  const phones = Array.from({ length: 1000 }, (_, i) =>
    crypto.encrypt(`+1202555${String(1000 + i).padStart(4, "0")}`),
  );
  for (let from = 0; from < count; from += 2000) {
    const rows = Array.from({ length: Math.min(2000, count - from) }, (_, j) => ({
      external_id: `bench-${from + j}`,
      phone: phones[(from + j) % phones.length],
    }));
    await knex.raw(
      `insert into contacts (external_id, phone_encrypted, phone_country)
       select x.external_id, x.phone, 'US' from jsonb_to_recordset(?::jsonb) as x(external_id text, phone text)`,
      [JSON.stringify(rows)],
    );
  }
  await knex.raw(
    `insert into messages (idempotency_key, contact_id, channel, category, body, next_attempt_at)
     select 'bench:' || id, id, 'sms', 'transactional', 'Your order ' || id || ' shipped', now()
       from contacts`,
  );
}

export async function runThroughput(
  knex: Knex,
  crypto: FieldCrypto,
  options: { messages: number; hang: number; timeoutMs: number; maxOpen?: number },
): Promise<ThroughputResult> {
  await queueMessages(knex, crypto, options.messages);
  // 2% answered 500, `hang` accepted and never answered: kinds drawn uniformly, so weight them.
  const hangShare = Math.round(options.hang * 100);
  const kinds: FaultKind[] = [...Array(hangShare).fill("hang"), ...Array(2).fill("500")];
  const fake = await startFakeTwilio({
    dedupe: false,
    faultRate: options.hang + 0.02,
    faultKinds: kinds,
    seed: 12,
  });
  const worker = startDeliveryWorker({
    knex,
    crypto,
    providers: {
      sms: fakeTwilioProvider(fake, { timeoutMs: options.timeoutMs }),
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    workerId: "bench",
    timeoutMs: options.timeoutMs,
    retryBaseMs: RETRY_BASE_MS,
    // random 1: a first retry is due exactly RETRY_BASE_MS after the 500, so lateness is exact.
    random: () => 1,
    ...(options.maxOpen ? { maxOpen: options.maxOpen } : {}),
  });
  const started = performance.now();
  let mostAccepted = 0;
  const accepted = new Set<string>();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    for (const d of fake.deliveries) if (d.token) accepted.add(d.token);
    if (!mostAccepted && accepted.size >= 0.95 * options.messages) mostAccepted = performance.now();
    const left = (await knex("messages").whereNot({ status: "sent" }).count("* as n").first()) as {
      n: string;
    };
    if (Number(left.n) === 0) break;
    if (performance.now() - started > 30 * 60_000)
      throw new Error("delivery bench: no progress in 30 min");
  }
  const drainMs = performance.now() - started;
  await fake.close();
  await worker.stop();

  const byToken = new Map<string, { outcome: string; at: number }[]>();
  for (const r of fake.requests) {
    if (!r.token) continue;
    const list = byToken.get(r.token) ?? [];
    list.push(r);
    byToken.set(r.token, list);
  }
  const retryLateMs: number[] = [];
  for (const list of byToken.values()) {
    const [first, second] = list;
    if (first?.outcome === "500" && second) retryLateMs.push(second.at - first.at - RETRY_BASE_MS);
  }
  return {
    hang: options.hang,
    providerPerSecond: ((0.95 * options.messages) / (mostAccepted - started)) * 1000,
    drainMs,
    retryLateMs,
    duplicates: fake.duplicates(),
    lookups: fake.lists.length,
  };
}
