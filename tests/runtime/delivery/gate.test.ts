import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { type FakeTwilio, startFakeTwilio } from "../../helpers/fake-twilio.ts";
import { fakeTwilioProvider } from "../../helpers/fake-twilio-provider.ts";
import { watchGate } from "../../helpers/gate-watch.ts";
import {
  type DeliveryFixture,
  insertContact,
  insertMessage,
  message,
  openDeliveryFixture,
  waitFor,
} from "./fixtures.ts";

/**
 * On PGlite the delivery worker shares the one connection with the ticker and the API, so the
 * server runs every statement of it through the lane (server/db/gate.ts): claims, the `sent`
 * sets, retries, failures and the lease sweep. A statement that skipped the gate would queue
 * behind a ticker batch and hold up a request that arrived meanwhile.
 */
describe("the delivery worker's database work on PGlite goes through the gate", () => {
  let f: DeliveryFixture;
  let fake: FakeTwilio;
  const REJECTED = "+12025550999";

  beforeAll(async () => {
    f = await openDeliveryFixture("pglite");
    fake = await startFakeTwilio({ rejectTo: [REJECTED], retryAfterSeconds: 0 });
  });
  afterAll(async () => {
    await fake?.close();
    await f?.db.close();
  });

  it("claims, records sent, retried and failed messages and sweeps, each in a turn", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push((await insertMessage(f, (await insertContact(f)).id)).id);
    const rejected = (await insertMessage(f, (await insertContact(f, REJECTED)).id)).id;
    // A lease that ran out while its worker was gone: the sweep gives it back (and it is sent).
    const stranded = (await insertMessage(f, (await insertContact(f)).id)).id;
    await f
      .knex("messages")
      .where({ id: stranded })
      .update({ status: "sending", locked_by: "gone", locked_until: new Date(Date.now() - 1000) });
    fake.failNext(2, "500");

    const watched = watchGate(f.knex);
    const worker = startDeliveryWorker({
      knex: f.knex,
      crypto: f.crypto,
      providers: {
        sms: fakeTwilioProvider(fake),
      },
      log: f.log,
      workerId: "gated",
      retryBaseMs: 50,
      pollMs: 50,
      sweepMs: 50,
      gate: watched.gate,
    });
    try {
      const settled = async () => {
        const rows = await Promise.all([...ids, rejected, stranded].map((id) => message(f, id)));
        return rows.every((r) => r.status === "sent" || r.status === "failed");
      };
      await waitFor("every message settled", () => watched.aside(settled));
    } finally {
      await worker.stop();
      watched.stop();
    }

    for (const id of [...ids, stranded]) expect((await message(f, id)).status).toBe("sent");
    expect((await message(f, rejected)).status).toBe("failed");
    // Two answered 500 and were retried: the retries went through the gate as well.
    expect(fake.requests.filter((r) => r.outcome === "500")).toHaveLength(2);
    expect(watched.outside).toEqual([]);
    expect(watched.nested).toEqual([]);
    // At least a claim, a `sent` set, the two retries, the failure and a sweep.
    expect(watched.turns()).toBeGreaterThanOrEqual(6);
  });
});
