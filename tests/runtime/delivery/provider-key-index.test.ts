import type { Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageByOutId } from "../../../server/delivery/sql/aliyun.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import {
  type DeliveryFixture,
  insertContact,
  insertMessage,
  openDeliveryFixture,
} from "./fixtures.ts";

/*
 * messages_provider_key_idx holds attempted messages only, so the ticker's outbox insert skips
 * it (migrations/20261207010000_provider_key_idx_attempted.ts); the receipts' lookup must still
 * reach it, or every Aliyun receipt would scan the outbox.
 */
describe.each(databaseKinds)("the provider-key index on %s", (kind) => {
  let f: DeliveryFixture;
  beforeAll(async () => {
    f = await openDeliveryFixture(kind);
  });
  afterAll(async () => {
    await f?.db.close();
  });

  it("holds no queued first attempt and still serves the receipt lookup", async () => {
    const contact = await insertContact(f);
    const queued = await insertMessage(f, contact.id);
    const sent = await insertMessage(f, contact.id, { status: "sent" });
    await f.knex("messages").where({ id: sent.id }).update({ attempts: 1 });

    // A receipt names a message some attempt sent; a never-attempted row is not an answer.
    expect(await messageByOutId(f.knex, sent.providerKey)).toEqual({
      id: sent.id,
      providerMessageId: null,
    });
    expect(await messageByOutId(f.knex, queued.providerKey)).toBeNull();

    // The lookup's SQL, as run, planned with sequential scans priced out.
    let lookup: { sql: string; bindings: readonly Knex.RawBinding[] } | undefined;
    const capture = (q: { sql: string; bindings: readonly Knex.RawBinding[] }) => {
      lookup = q;
    };
    f.knex.on("query", capture);
    await messageByOutId(f.knex, sent.providerKey);
    f.knex.off("query", capture);
    if (!lookup) throw new Error("no query seen");
    const q = lookup;
    const plan = await f.knex.transaction(async (trx) => {
      await trx.raw("set local enable_seqscan = off");
      // The event's SQL is the driver's ($1…); knex.raw binds `?`.
      const text = q.sql.replace(/\$\d+/g, "?");
      const { rows } = (await trx.raw(`explain ${text}`, [...q.bindings])) as {
        rows: { "QUERY PLAN": string }[];
      };
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("messages_provider_key_idx");

    const { rows } = (await f.knex.raw(
      "select indexdef from pg_indexes where indexname = 'messages_provider_key_idx'",
    )) as { rows: { indexdef: string }[] };
    expect(rows[0]?.indexdef).toMatch(/WHERE \(attempts > 0\)$/);
  });
});
