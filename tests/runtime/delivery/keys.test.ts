import { spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Database } from "../../../server/db/connect.ts";
import { migrateLatest } from "../../../server/db/migrate.ts";
import { startDeliveryWorker } from "../../../server/delivery/worker.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { fieldCrypto } from "../../../server/privacy/keys.ts";
import { policyCache } from "../../../server/runtime/policy.ts";
import { writeBatch } from "../../../server/runtime/sql/write-batch.ts";
import type { BatchWrites } from "../../../server/runtime/step-batch.ts";
import { tickOnce } from "../../../server/runtime/ticker.ts";
import { createPostgresDatabase, databaseKinds } from "../../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../../helpers/fake-twilio.ts";
import { fakeTwilioProvider } from "../../helpers/fake-twilio-provider.ts";
import { tempDir } from "../../helpers/server-process.ts";

/**
 * Issue 12, item 3: the key a provider deduplicates on must be unique forever. The outbox's own
 * key (`e<enrollment>:<node>:<visit>`) starts again at `e1:…` in every database; two installs,
 * or a database restored from a backup and run on, used to send the same keys for messages to
 * different people, and a deduplicating provider dropped the second ones. Here one
 * deduplicating fake Twilio serves every database, as one provider account would.
 */

const crypto = fieldCrypto("k".repeat(32));
// 10:00 in Shanghai: inside the sending window.
const NOW = new Date("2026-03-02T02:00:00Z");
const USERS = 5;
const JOURNEY = {
  format: "waymark/journey@1",
  id: "keys",
  name: "Keys",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    {
      id: "sms1",
      type: "send",
      send: { channel: "sms", category: "transactional", template: "Order {{ user.order }}" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

interface Sent {
  idempotencyKey: string;
  providerKey: string;
  externalId: string;
}

async function install(db: Database): Promise<void> {
  await migrateLatest(db.knex);
  await createJourney(db.knex, JOURNEY, null);
  await publishJourney(db.knex, "keys", null);
}

/** Enrolls users `from`..`from+count-1` (one SMS each), runs the ticker, returns the new rows. */
async function run(db: Database, from: number, count: number): Promise<Sent[]> {
  const { knex } = db;
  const version = (await knex("journey_versions").where({ journey_id: "keys" }).first("id")) as {
    id: string;
  };
  const before = Number(
    ((await knex("messages").max("id as id").first()) as { id: string | null }).id ?? 0,
  );
  for (let i = from; i < from + count; i++) {
    const phone = `+1202555${String(2000 + i).padStart(4, "0")}`;
    const [contact] = (await knex("contacts")
      .insert({
        external_id: `user-${i}`,
        timezone: "Asia/Shanghai",
        phone_encrypted: crypto.encrypt(phone),
        phone_hash: crypto.blindIndex(phone),
        phone_country: "US",
        attributes: JSON.stringify({ order: `#${i}` }),
      })
      .returning("id")) as { id: string }[];
    const [enrollment] = (await knex("enrollments")
      .insert({
        contact_id: contact?.id,
        journey_id: "keys",
        version_id: version.id,
        current_node: "start",
        entry_event: JSON.stringify({ name: "api.enroll", at: NOW.getTime() }),
      })
      .returning("id")) as { id: string }[];
    await knex("enrollment_wakeups").insert({
      enrollment_id: enrollment?.id,
      contact_id: contact?.id,
      wake_at: NOW,
    });
  }
  const policy = policyCache(knex, "UTC", 0);
  for (;;) {
    const r = await tickOnce({
      knex,
      crypto,
      policy,
      linkBase: "https://wm.example",
      now: () => NOW,
    });
    if (r.claimed === 0) break;
  }
  return (await knex("messages as m")
    .join("contacts as c", "c.id", "m.contact_id")
    .where("m.id", ">", before)
    .orderBy("m.id")
    .select(
      "m.idempotency_key as idempotencyKey",
      "m.provider_key as providerKey",
      "c.external_id as externalId",
    )) as Sent[];
}

async function deliver(db: Database, fake: FakeTwilio): Promise<void> {
  const worker = startDeliveryWorker({
    knex: db.knex,
    crypto,
    providers: {
      sms: fakeTwilioProvider(fake),
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    workerId: "keys",
    autoStart: false,
  });
  while ((await worker.drainOnce()) > 0) {}
  await worker.stop();
}

const providerKeys = (rows: Sent[]) => rows.map((r) => r.providerKey);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(databaseKinds)("provider keys are unique forever on %s", (kind) => {
  let fake: FakeTwilio;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    fake = await startFakeTwilio({ dedupe: true });
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
    await fake?.close();
  });

  /** A fresh empty database of this kind; `url` for PostgreSQL, `dir` for PGlite. */
  async function fresh(): Promise<Database & { url?: string; dir?: string }> {
    if (kind === "postgres") {
      const pg = await createPostgresDatabase();
      const db = await connect({ url: pg.url, poolMax: 3 });
      cleanup.push(async () => {
        await db.close();
        await pg.drop();
      });
      return { ...db, url: pg.url };
    }
    const dir = join(tempDir("waymark-keys-"), "data");
    const db = await connect({ pgliteDir: dir });
    cleanup.push(() => db.close());
    return { ...db, dir };
  }

  it("two fresh installs never give a provider the same key, so a deduplicating provider delivers both", async () => {
    const a = await fresh();
    const b = await fresh();
    await install(a);
    await install(b);
    const sentA = await run(a, 0, USERS);
    const sentB = await run(b, 0, USERS);
    // The outbox's own keys are the same in both databases (that is what collided)…
    expect(sentA.map((r) => r.idempotencyKey)).toEqual(sentB.map((r) => r.idempotencyKey));
    // …the provider keys are not.
    for (const key of [...providerKeys(sentA), ...providerKeys(sentB)]) expect(key).toMatch(UUID);
    const all = new Set([...providerKeys(sentA), ...providerKeys(sentB)]);
    expect(all.size).toBe(2 * USERS);

    const before = fake.deliveries.length;
    await deliver(a, fake);
    await deliver(b, fake);
    const delivered = fake.deliveries.slice(before);
    expect(delivered).toHaveLength(2 * USERS);
    expect(new Set(delivered.map((d) => d.token))).toEqual(all);
    expect(fake.requests.filter((r) => r.outcome === "duplicate")).toHaveLength(0);
  }, 120_000);

  it("a restored database (dump, restore, continue) does not reuse a key the original used after the dump", async () => {
    const original = await fresh();
    await install(original);
    const beforeDump = await run(original, 0, USERS);

    // The backup, restored as a second database, closed the way an operator would have it.
    let restored: Database;
    if (kind === "postgres") {
      const target = await createPostgresDatabase();
      const dump = spawnSync("pg_dump", ["--no-owner", "--no-privileges", original.url ?? ""], {
        encoding: "utf8",
        maxBuffer: 64 * 2 ** 20,
      });
      expect(dump.status, dump.stderr).toBe(0);
      const load = spawnSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", target.url], {
        input: dump.stdout,
        encoding: "utf8",
      });
      expect(load.status, load.stderr).toBe(0);
      restored = await connect({ url: target.url, poolMax: 3 });
      cleanup.push(async () => {
        await restored.close();
        await target.drop();
      });
    } else {
      // PGlite's backup is its folder, copied while the database is closed.
      await original.close();
      const copy = join(tempDir("waymark-keys-restored-"), "data");
      cpSync(original.dir ?? "", copy, { recursive: true });
      const reopened = await connect({ pgliteDir: original.dir });
      Object.assign(original, reopened);
      cleanup.push(() => reopened.close());
      restored = await connect({ pgliteDir: copy });
      cleanup.push(() => restored.close());
    }
    // The restored rows are the same messages: they keep their keys (so a provider that
    // already delivered them still drops a resend).
    const restoredRows = (await restored
      .knex("messages")
      .orderBy("id")
      .pluck("provider_key")) as string[];
    expect(restoredRows).toEqual(providerKeys(beforeDump));

    // Both go on and send to new people: same enrollment ids, same outbox keys, new provider keys.
    const afterOriginal = await run(original, USERS, USERS);
    const afterRestored = await run(restored, USERS, USERS);
    expect(afterOriginal.map((r) => r.idempotencyKey)).toEqual(
      afterRestored.map((r) => r.idempotencyKey),
    );
    const keys = [
      ...providerKeys(beforeDump),
      ...providerKeys(afterOriginal),
      ...providerKeys(afterRestored),
    ];
    expect(new Set(keys).size).toBe(3 * USERS);

    const before = fake.deliveries.length;
    await deliver(original, fake);
    await deliver(restored, fake);
    // 5 before the dump, 5 after it in each copy: 15 people, 15 messages at the provider.
    expect(fake.deliveries.length - before).toBe(3 * USERS);
  });

  it("a replayed ticker batch conflicts on the outbox key and draws no new provider key", async () => {
    const db = await fresh();
    await install(db);
    const [sent] = await run(db, 100, 1);
    if (!sent) throw new Error("no message");
    const row = (await db
      .knex("messages")
      .where({ idempotency_key: sent.idempotencyKey })
      .first()) as Record<string, unknown>;
    const replay: BatchWrites["messages"][number] = {
      idempotency_key: sent.idempotencyKey,
      contact_id: Number(row.contact_id),
      enrollment_id: Number(row.enrollment_id),
      journey_id: "keys",
      version_id: Number(row.version_id),
      node_id: "sms1",
      channel: "sms",
      category: "transactional",
      body: String(row.body),
      encoding: "GSM-7",
      parts: 1,
      links: [],
    };
    const inserted = await db.knex.transaction((trx) =>
      writeBatch(trx, { ...emptyWrites(), messages: [replay] }, NOW, { linkTtlMs: 86_400_000 }),
    );
    expect(inserted.messages).toBe(0);
    const rows = (await db
      .knex("messages")
      .where({ idempotency_key: sent.idempotencyKey })
      .pluck("provider_key")) as string[];
    expect(rows).toEqual([sent.providerKey]);

    // A batch mixing the replayed message with a new one, both with a tracked link: the plain
    // insert meets the key, the batch falls back to ON CONFLICT and still commits the new one,
    // its link and the batch's other writes; the replay keeps its row, key and links.
    const linksBefore = await db.knex("link_tokens").count("* as n").first();
    const newer = {
      ...replay,
      idempotency_key: `${sent.idempotencyKey}:again`,
      links: [{ token: "tok-new", url: "https://shop.example/a" }],
    };
    const mixed = await db.knex.transaction((trx) =>
      writeBatch(
        trx,
        {
          ...emptyWrites(),
          messages: [
            { ...replay, links: [{ token: "tok-replay", url: "https://shop.example/b" }] },
            newer,
          ],
          cooldowns: [
            {
              contact_id: replay.contact_id,
              scope: "journey",
              until: new Date(NOW.getTime() + 3_600_000).toISOString(),
              reason: "cooldown_node",
              applies: "other_journeys",
              journey_id: "keys",
              node_id: "sms1",
            },
          ],
        },
        NOW,
        { linkTtlMs: 86_400_000 },
      ),
    );
    expect(mixed.messages).toBe(1);
    const keys = (await db
      .knex("messages")
      .whereIn("idempotency_key", [sent.idempotencyKey, newer.idempotency_key])
      .orderBy("id")
      .select("idempotency_key", "provider_key", "id")) as {
      idempotency_key: string;
      provider_key: string;
      id: string | number;
    }[];
    expect(keys.map((k) => k.idempotency_key)).toEqual([
      sent.idempotencyKey,
      newer.idempotency_key,
    ]);
    expect(keys[0]?.provider_key).toBe(sent.providerKey);
    const tokens = (await db
      .knex("link_tokens")
      .orderBy("token")
      .select("token", "message_id")) as {
      token: string;
      message_id: string | number;
    }[];
    expect(tokens.filter((t) => t.token.startsWith("tok-"))).toEqual([
      { token: "tok-new", message_id: keys[1]?.id },
    ]);
    expect(tokens.length).toBe(Number(linksBefore?.n) + 1);
    expect(
      await db.knex("contact_cooldowns").where({ contact_id: replay.contact_id, node_id: "sms1" }),
    ).toHaveLength(1);
  });
});

function emptyWrites(): BatchWrites {
  return {
    enrollments: [],
    wakeups: [],
    finished: [],
    log: [],
    messages: [],
    cooldowns: [],
    conversions: [],
    attributes: [],
    moves: [],
    optOuts: [],
  };
}
