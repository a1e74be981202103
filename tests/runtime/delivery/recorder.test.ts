import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Provider } from "../../../server/delivery/types.ts";
import type { DeliveryWorkerOptions } from "../../../server/delivery/worker.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import {
  type DeliveryFixture,
  fixtureWorker,
  insertContact,
  insertMessage,
  message,
  openDeliveryFixture,
  waitFor,
} from "./fixtures.ts";

/**
 * Accepted sends are recorded in sets (server/delivery/recorder.ts, issue 18): one guarded
 * UPDATE per flush instead of one per message, with the guarantees of the per-message path —
 * only rows still leased by the worker are written, and a worker that dies between the
 * provider's acceptance and the write leaves the message to be reconciled, never resent blind.
 */

/** A provider in memory that holds what it accepted and answers lookups about it. */
function memoryProvider() {
  const sends: string[] = [];
  const lookups: string[] = [];
  const held = new Set<string>();
  const provider: Provider = {
    name: "memory",
    ratePerSecond: null,
    async send(request) {
      sends.push(request.idempotencyKey);
      held.add(request.idempotencyKey);
      return { kind: "sent", providerMessageId: `sent-${request.messageId}` };
    },
    async lookup(request) {
      lookups.push(request.idempotencyKey);
      return held.has(request.idempotencyKey)
        ? { kind: "accepted", providerMessageIds: [`looked-up-${request.messageId}`] }
        : { kind: "not_accepted" };
    },
  };
  return { provider, sends, lookups };
}

describe.each(databaseKinds)("recording sends in sets on %s", (kind) => {
  let f: DeliveryFixture;

  beforeAll(async () => {
    f = await openDeliveryFixture(kind);
  });
  afterAll(async () => {
    await f?.db.close();
  });

  const worker = (provider: Provider, overrides: Partial<DeliveryWorkerOptions>) =>
    fixtureWorker(f, provider, { pollMs: 20, ...overrides });

  it("writes 30 accepted sends with one statement, each row as markSent would", async () => {
    await f.knex.raw("truncate messages restart identity cascade");
    const contact = await insertContact(f);
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push((await insertMessage(f, contact.id)).id);
    const { provider, sends } = memoryProvider();
    let sentStatements = 0;
    const count = (q: { sql: string }) => {
      if (q.sql.includes("set status = 'sent'")) sentStatements++;
    };
    f.knex.on("query", count);
    // Time never triggers the flush here: the 30th answer does (batchSize).
    const w = worker(provider, { concurrency: 30, batchSize: 30, recordMs: 60_000 });
    try {
      expect(await w.drainOnce()).toBe(30);
    } finally {
      f.knex.off("query", count);
      await w.stop();
    }
    expect(sends).toHaveLength(30);
    expect(sentStatements).toBe(1);
    for (const id of ids) {
      const row = await message(f, id);
      expect(row).toMatchObject({
        status: "sent",
        provider: "memory",
        provider_message_id: `sent-${id}`,
        locked_by: null,
        last_error: null,
        outcome_unknown_since: null,
      });
      const { sent_at } = (await f.knex("messages").where({ id }).first("sent_at")) as {
        sent_at: Date | null;
      };
      expect(sent_at).not.toBeNull();
    }
  });

  it("a worker gone between the acceptance and its set's write: reconciled by the next, not resent, and the late write changes nothing", async () => {
    await f.knex.raw("truncate messages restart identity cascade");
    const contact = await insertContact(f);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await insertMessage(f, contact.id)).id);
    const { provider, sends, lookups } = memoryProvider();
    // Worker A's set would wait a minute: it "dies" holding three accepted sends.
    const a = worker(provider, { workerId: "a", recordMs: 60_000, leaseMs: 60_000 });
    const draining = a.drainOnce();
    await waitFor("the provider to accept all three", () => sends.length === 3);
    for (const id of ids) {
      // What a crash leaves, as before sets: sending, leased, its outcome unknown.
      const row = await message(f, id);
      expect(row.status).toBe("sending");
      expect(row.locked_by).toBe("a");
      expect(row.outcome_unknown_since).not.toBeNull();
    }
    // A's lease runs out; worker B sweeps, claims, and asks the provider first.
    await f.knex("messages").update({ locked_until: new Date(Date.now() - 1000) });
    const b = worker(provider, { workerId: "b", recordMs: 0 });
    expect(await b.drainOnce()).toBe(3);
    await b.stop();
    expect(lookups).toHaveLength(3);
    expect(sends).toHaveLength(3);
    // A comes back and writes its set: the lease guard keeps B's record.
    await a.stop();
    await draining;
    for (const id of ids) {
      expect(await message(f, id)).toMatchObject({
        status: "sent",
        provider_message_id: `looked-up-${id}`,
        locked_by: null,
      });
    }
    const lost = f.logLines.filter((l) => l.includes("the lease was lost"));
    expect(lost).toHaveLength(3);
  });
});
