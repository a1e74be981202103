import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SplitNode, splitArm } from "../../engine/nodes/split.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { CSV_COLUMNS } from "../../server/results/csv.ts";
import type { ArmResult, JourneyResults, SendResult } from "../../server/results/results.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { providerTook } from "../helpers/provider-took.ts";

// 2026-03-02 10:00 in Shanghai: inside the sending window.
const START = "2026-03-02T02:00:00Z";
const HOUR = 3_600_000;

const SPLIT: SplitNode = {
  id: "split",
  type: "split",
  label: "Offer test",
  split: {
    arms: [
      { name: "A", percent: 50 },
      { name: "B", percent: 50 },
    ],
  },
};

/** A send before the split (sms1), a send on arm A only (sms_a), none on arm B (a holdout). */
const JOURNEY = {
  format: "waymark/journey@1",
  id: "arms",
  name: "Arm attribution",
  settings: { goal: { event: "purchased", within: "P7D" } },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Your cart: {{ 'https://shop.example/cart' | track }}",
      },
    },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "PT1H" } },
    SPLIT,
    {
      id: "sms_a",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "10% off: {{ 'https://shop.example/deal' | track }}",
      },
    },
    { id: "wait_a", type: "wait", wait: { kind: "duration", duration: "P2D" } },
    { id: "wait_b", type: "wait", wait: { kind: "duration", duration: "P2D" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "wait1" },
    { from: "wait1", to: "split" },
    { from: "split", to: "sms_a", path: "A" },
    { from: "split", to: "wait_b", path: "B" },
    { from: "sms_a", to: "wait_a" },
    { from: "wait_a", to: "done" },
    { from: "wait_b", to: "done" },
  ],
};

const USERS = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"];

/**
 * Issue #16 item 3: a split arm's numbers count only what the arm caused. The whole path is the
 * real one (ingest → ticker → outbox → tracked-link clicks → goal credited by the ticker); only
 * the provider's "delivered" report is written directly, as delivery would.
 */
describe.each(databaseKinds)(
  "split arm results attribute only the arm's own sends on %s",
  (kind) => {
    let db: TestDatabase;
    let app: TestApp;
    const clock = manualClock(START);
    const arms = new Map<string, string>();
    const ids = new Map<string, number>();
    const inArm = (arm: string) => USERS.filter((u) => arms.get(u) === arm);

    const get = async (path: string) => {
      const res = await fetch(`${app.url}${path}`, {
        headers: { authorization: `Bearer ${app.secretKey}` },
      });
      return { status: res.status, text: await res.text() };
    };
    const results = async () =>
      JSON.parse((await get("/api/journeys/arms/results?tz=UTC")).text) as JourneyResults;
    const messageOf = async (user: string, node: string) =>
      (await db
        .knex("messages")
        .where({ contact_id: ids.get(user), node_id: node })
        .first("id", "body")) as { id: string | number; body: string };
    const click = async (user: string, node: string) => {
      const token = /\/l\/([\w-]+)/.exec((await messageOf(user, node)).body)?.[1];
      const res = await fetch(`${app.url}/l/${token}`, {
        redirect: "manual",
        headers: { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)" },
      });
      expect(res.status).toBe(302);
    };
    /** What the provider's status callback records. */
    const delivered = async (user: string, node: string) =>
      db
        .knex("messages")
        .where({ contact_id: ids.get(user), node_id: node })
        .update({ status: "delivered", sent_at: clock.now(), delivered_at: clock.now() });

    beforeAll(async () => {
      db = await openTestDatabase(kind);
      app = await startTestApp(db, clock);
      await createJourney(db.knex, JOURNEY, null);
      await publishJourney(db.knex, "arms", null);
      for (const userId of USERS) {
        await app.ingest("/v1/identify", {
          userId,
          traits: { phone: "+8613812345678", timezone: "Asia/Shanghai" },
          consent: { sms: { promotional: true } },
        });
      }
      const rows = (await db.knex("contacts").select("id", "external_id")) as {
        id: string | number;
        external_id: string;
      }[];
      for (const r of rows) {
        ids.set(r.external_id, Number(r.id));
        arms.set(r.external_id, splitArm(SPLIT, String(r.id), "arms"));
      }

      // sms1, before the split: everyone gets it, it is delivered and everyone clicks it.
      for (const userId of USERS)
        await app.ingest("/v1/track", {
          userId,
          event: "cart_abandoned",
          messageId: `c-${userId}`,
        });
      expect((await app.tick()).messages).toBe(USERS.length);
      for (const u of USERS) {
        await delivered(u, "sms1");
        await click(u, "sms1");
      }
      // An hour later the split: arm A gets sms_a, arm B waits without a send.
      clock.advance(HOUR);
      expect((await app.tick()).messages).toBe(inArm("A").length);
      const [firstA, ...restA] = inArm("A");
      for (const u of restA) await delivered(u, "sms_a");
      // firstA's: the provider took it, no delivery report came.
      if (firstA) {
        expect(await providerTook(db.knex, "arms", clock.now(), firstA)).toBe(1);
        await click(firstA, "sms_a");
      }
      // Two purchases after the split: one in each arm. A's is credited to sms_a (its last touch),
      // B's to sms1, a send before the split.
      clock.advance(10 * 60_000);
      const [firstB] = inArm("B");
      for (const u of [firstA, firstB])
        await app.ingest("/v1/track", { userId: u, event: "purchased", messageId: `p-${u}` });
      await app.tick();
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });

    it("the contacts fall in both arms (the test needs each)", () => {
      expect(inArm("A").length).toBeGreaterThan(0);
      expect(inArm("B").length).toBeGreaterThan(0);
      expect(inArm("A").length + inArm("B").length).toBe(USERS.length);
    });

    it("counts each arm's own messages only: 0 for the arm without a send", async () => {
      const r = await results();
      const nA = inArm("A").length;
      const nB = inArm("B").length;
      const armsOf = r.splits.find((s) => s.nodeId === "split")?.arms ?? [];
      const a = armsOf.find((x) => x.arm === "A");
      const b = armsOf.find((x) => x.arm === "B");
      expect(a).toMatchObject<Partial<ArmResult>>({
        assigned: nA,
        recipients: nA,
        sent: nA,
        delivered: { count: nA - 1, rate: Math.round(((nA - 1) / nA) * 10_000) / 10_000 },
        clicked: { count: 1, rate: Math.round((1 / nA) * 10_000) / 10_000 },
        attributed: { count: 1, rate: Math.round((1 / nA) * 10_000) / 10_000 },
      });
      // Intention to treat: converted within day N of assignment, over everyone assigned.
      expect(a?.converted?.map((c) => c.count)).toEqual([1, 1, 1, 1]);
      // Arm B sent nothing: sms1's deliveries and clicks, before the split, are not B's.
      expect(b).toMatchObject<Partial<ArmResult>>({
        assigned: nB,
        recipients: 0,
        sent: 0,
        delivered: { count: 0, rate: null },
        clicked: { count: 0, rate: null },
        attributed: { count: 0, rate: null },
      });
      // B's buyer bought after taking the arm: a conversion for the arm (ITT), credited to sms1.
      expect(b?.converted?.map((c) => c.count)).toEqual([1, 1, 1, 1]);
    });

    it("keeps the send nodes' own numbers: sms1 has everyone and the B buyer's credit", async () => {
      const r = await results();
      const send = (id: string) => r.sends.find((s) => s.nodeId === id);
      expect(send("sms1")).toMatchObject<Partial<SendResult>>({
        recipients: USERS.length,
        delivered: { count: USERS.length, rate: 1 },
        clicked: { count: USERS.length, rate: 1 },
        attributed: { count: 1, rate: Math.round((1 / USERS.length) * 10_000) / 10_000 },
      });
      expect(send("sms_a")).toMatchObject({
        recipients: inArm("A").length,
        clicked: { count: 1 },
        attributed: { count: 1 },
      });
    });

    it("exports the same arm numbers in the CSV", async () => {
      const res = await get("/api/journeys/arms/results.csv");
      expect(res.status).toBe(200);
      const lines = res.text.trimEnd().split("\r\n");
      expect(lines[0]).toBe(CSV_COLUMNS.join(","));
      const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
      const rows = lines.slice(1).map((l) => l.split(","));
      const arm = (name: string) => rows.find((x) => x[0] === "arm" && x[col("arm")] === name);
      const pick = (row: string[] | undefined) =>
        ["assigned", "recipients", "sent", "delivered", "clicked", "attributed"].map(
          (c) => row?.[col(c as (typeof CSV_COLUMNS)[number])],
        );
      const nA = inArm("A").length;
      const nB = inArm("B").length;
      expect(pick(arm("A"))).toEqual([nA, nA, nA, nA - 1, 1, 1].map(String));
      expect(pick(arm("B"))).toEqual([nB, 0, 0, 0, 0, 0].map(String));
      expect(arm("B")?.[col("delivered_rate")]).toBe("");
    });
  },
);
