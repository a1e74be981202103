import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliveryConfig, loadDeliveryConfig } from "../../../server/delivery/config.ts";
import { providerRulesFor } from "../../../server/delivery/provider-rules.ts";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { policyCache } from "../../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { aliyunEnv, contactLog, contactMessages, templateJourney } from "./aliyun-fixtures.ts";

/**
 * Issue 19: Aliyun's daily limit is per phone NUMBER, not per contact. Two contacts with one
 * number share it (in one ticker batch and across batches), and a contact whose number changed
 * starts the new number's count, because each SMS records the number it went to
 * (messages.phone_hash). The ticker only queues here: the limit is decided before any send.
 */

const START = "2026-03-02T02:00:00Z"; // 10:00 in Shanghai
const CHINA_MIDNIGHT = Date.parse("2026-03-02T16:00:00Z");

describe.each(databaseKinds)("Aliyun's per-number daily limit on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let config: DeliveryConfig;
  const clock = manualClock(START);
  let seq = 0;

  const tick = () => app.tick({ policy: policyCache(db.knex, "UTC", 0, providerRulesFor(config)) });

  async function enter(userId: string, phone: string, event = "notice") {
    seq += 1;
    await app.ingest("/v1/identify", {
      userId,
      traits: { phone, timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    const tracked = await app.ingest("/v1/track", {
      userId,
      event,
      properties: { orderId: `A${seq}` },
    });
    expect(tracked.status).toBe(200);
  }

  beforeAll(async () => {
    const env = aliyunEnv({ ALIYUN_SMS_DAILY_LIMIT: "2" });
    config = loadDeliveryConfig(env);
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock, env);
    for (const id of ["notice", "again", "third"]) {
      const doc = templateJourney(id, [{ id: "s1", category: "transactional" }]);
      await createJourney(db.knex, doc, null);
      await publishJourney(db.knex, doc.id, null, clock.now());
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("two contacts in one batch and a third later, one number: two SMS, the third waits for the China day", async () => {
    clock.set(START);
    const shared = "+8613900001111";
    await enter("mum", shared);
    await enter("dad", shared);
    await tick();
    expect(await contactMessages(db.knex, "mum")).toHaveLength(1);
    expect(await contactMessages(db.knex, "dad")).toHaveLength(1);
    // Each went to the number, recorded as its blind index (never the number itself).
    const hashes = await db.knex("messages").whereNotNull("phone_hash").distinct("phone_hash");
    expect(hashes).toHaveLength(1);
    expect(JSON.stringify(hashes)).not.toContain("13900001111");

    clock.advance(60_000);
    await enter("kid", shared);
    await tick();
    expect(await contactMessages(db.knex, "kid")).toEqual([]);
    const deferred = (await contactLog(db.knex, "kid")).filter((l) => l.type === "deferred");
    expect(deferred.at(-1)?.data).toMatchObject({
      reason: "provider_limit",
      until: CHINA_MIDNIGHT,
    });
    expect(deferred.at(-1)?.detail).toContain("2 SMS to this phone today");

    clock.set(new Date(CHINA_MIDNIGHT).toISOString());
    await tick();
    expect(await contactMessages(db.knex, "kid")).toHaveLength(1);
  });

  it("a contact whose number changed sends to the new number: the old number's count stays with it", async () => {
    clock.set("2026-03-05T02:00:00Z");
    const before = "+8613900002222";
    await enter("mover", before);
    await tick();
    clock.advance(60_000);
    await enter("mover", before, "again");
    await tick();
    // The old number is at its limit, and so is the mover, counted by contact.
    await app.ingest("/v1/identify", { userId: "mover", traits: { phone: "+8613900003333" } });
    clock.advance(60_000);
    await enter("mover", "+8613900003333", "third");
    await enter("stayer", before);
    await tick();
    expect(await contactMessages(db.knex, "mover")).toHaveLength(3);
    expect(await contactMessages(db.knex, "stayer")).toEqual([]);
    const deferred = (await contactLog(db.knex, "stayer")).filter((l) => l.type === "deferred");
    expect(deferred.at(-1)?.data).toMatchObject({ reason: "provider_limit" });
  });
});
