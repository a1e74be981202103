import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliveryConfig, loadDeliveryConfig } from "../../server/delivery/config.ts";
import { providerRulesFor } from "../../server/delivery/provider-rules.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import {
  aliyunEnv,
  contactLog,
  contactMessages,
  templateJourney,
} from "../runtime/delivery/aliyun-fixtures.ts";

/**
 * Issue 19: the simulator predicts what the SMS provider in effect will do, as the ticker does.
 * POST /api/simulate reads the provider's rules by the function the ticker's policy is given
 * (server/delivery/provider-rules.ts), and a real contact's number's sends today by the
 * ticker's loader; the ticker then runs the same contact at the same instant and must agree.
 */

const NIGHT = "2026-03-02T15:00:00Z"; // 23:00 in Shanghai
const EIGHT = "2026-03-03T00:00:00.000Z"; // 08:00 in Shanghai

type Step = { type: string; nodeId: string; reason?: string; until?: string | null };

describe.each(databaseKinds)("simulator and ticker agree on the provider's rules on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let config: DeliveryConfig;
  const clock = manualClock(NIGHT);

  const tick = () => app.tick({ policy: policyCache(db.knex, "UTC", 0, providerRulesFor(config)) });

  async function identify(userId: string, phone: string) {
    await app.ingest("/v1/identify", {
      userId,
      traits: { phone, timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
  }

  async function simulate(journeyId: string, contactId: string): Promise<Step[]> {
    const res = await fetch(`${app.url}/api/simulate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${app.secretKey}` },
      body: JSON.stringify({
        journeyId,
        contactId,
        events: [{ at: clock.now().toISOString(), name: journeyId, properties: { orderId: "A1" } }],
        until: "2026-03-10T00:00:00Z",
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { timeline: Step[] }).timeline;
  }

  beforeAll(async () => {
    const env = aliyunEnv({ ALIYUN_SMS_DAILY_LIMIT: "1" });
    config = loadDeliveryConfig(env);
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock, env);
    for (const [id, category] of [
      ["promo", "promotional"],
      ["notice", "transactional"],
    ] as const) {
      const doc = templateJourney(id, [{ id: "s1", category }]);
      await createJourney(db.knex, doc, null);
      await publishJourney(db.knex, doc.id, null, clock.now());
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("at 23:00 Shanghai both defer a promotional SMS to 08:00 China time (provider_window)", async () => {
    clock.set(NIGHT);
    await identify("night-owl", "+8613900004444");
    const predicted = (await simulate("promo", "night-owl")).find((s) => s.nodeId === "s1");
    expect(predicted).toMatchObject({ type: "deferred", reason: "provider_window", until: EIGHT });

    await app.ingest("/v1/track", {
      userId: "night-owl",
      event: "promo",
      properties: { orderId: "A1" },
    });
    await tick();
    expect(await contactMessages(db.knex, "night-owl")).toEqual([]);
    const deferred = (await contactLog(db.knex, "night-owl")).filter((l) => l.type === "deferred");
    expect(deferred.at(-1)?.data).toMatchObject({
      reason: "provider_window",
      until: Date.parse(EIGHT),
    });
  });

  it("a number another contact used up today: both defer to the next China day (provider_limit)", async () => {
    clock.set("2026-03-04T02:00:00Z"); // 10:00 in Shanghai
    const shared = "+8613900005555";
    await identify("sister", shared);
    await identify("brother", shared);
    await app.ingest("/v1/track", {
      userId: "sister",
      event: "notice",
      properties: { orderId: "A1" },
    });
    await tick();
    expect(await contactMessages(db.knex, "sister")).toHaveLength(1);

    clock.advance(60_000);
    const midnight = "2026-03-04T16:00:00.000Z";
    const predicted = (await simulate("notice", "brother")).find((s) => s.nodeId === "s1");
    expect(predicted).toMatchObject({
      type: "deferred",
      reason: "provider_limit",
      until: midnight,
    });

    await app.ingest("/v1/track", {
      userId: "brother",
      event: "notice",
      properties: { orderId: "A1" },
    });
    await tick();
    expect(await contactMessages(db.knex, "brother")).toEqual([]);
    const deferred = (await contactLog(db.knex, "brother")).filter((l) => l.type === "deferred");
    expect(deferred.at(-1)?.data).toMatchObject({
      reason: "provider_limit",
      until: Date.parse(midnight),
    });
  });
});
