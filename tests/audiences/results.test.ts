import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney } from "../../server/journeys/store.ts";
import { CSV_COLUMNS } from "../../server/results/csv.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { insertContacts, insertEvents } from "./fixture.ts";

const T0 = new Date("2026-02-01T10:00:00Z");
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

const journey = {
  format: "waymark/journey@1",
  id: "ab",
  name: "A/B results",
  settings: { goal: { event: "purchased", within: "P7D" } },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    {
      id: "split",
      type: "split",
      label: "Copy test",
      split: {
        arms: [
          { name: "A", percent: 50 },
          { name: "B", percent: 50 },
        ],
      },
    },
    {
      id: "sms_a",
      type: "send",
      label: "Coupon",
      send: { channel: "sms", category: "promotional", template: "A" },
    },
    { id: "sms_b", type: "send", send: { channel: "sms", category: "promotional", template: "B" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "split" },
    { from: "split", to: "sms_a", path: "A" },
    { from: "split", to: "sms_b", path: "B" },
    { from: "sms_a", to: "done" },
    { from: "sms_b", to: "done" },
  ],
};

interface Rate {
  count: number;
  rate: number | null;
}
interface Results {
  goal: { event: string } | null;
  windows: { day: number; hours: number }[];
  sends: {
    nodeId: string;
    label: string;
    recipients: number;
    delivered: Rate;
    clicked: Rate;
    converted: ({ day: number } & Rate)[] | null;
    attributed: Rate | null;
  }[];
  splits: {
    nodeId: string;
    arms: {
      arm: string;
      control: boolean;
      assigned: number;
      recipients: number;
      converted: ({ day: number } & Rate)[] | null;
      test: { z: number; p: number } | null;
      verdict: string | null;
      verdictFacts: Record<string, unknown> | null;
    }[];
  }[];
  series: { date: string; sends: number; conversions: number }[];
}

/** Results on crafted data: day 0/1/3/7 windows, the arms' z-test, the series, the CSV. */
describe.each(databaseKinds)("journey results on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const get = async (path: string) => {
    const res = await fetch(`${app.url}${path}`, {
      headers: { authorization: `Bearer ${app.secretKey}` },
    });
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      text: await res.text(),
    };
  };
  const results = async (query = "") =>
    JSON.parse((await get(`/api/journeys/ab/results${query}`)).text) as Results;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-01T00:00:00Z"));
    await createJourney(db.knex, journey, null);
    const ids = await insertContacts(
      db.knex,
      ["c1", "c2", "c3", "c4", "c5"].map((externalId) => ({ externalId })),
    );
    const message = (contact: string, extra: Record<string, unknown> = {}) => ({
      idempotency_key: `k-${contact}-${Object.keys(extra).join("-")}`,
      contact_id: ids.get(contact),
      journey_id: "ab",
      node_id: "sms_a",
      channel: "sms",
      category: "promotional",
      body: "hi",
      status: "delivered",
      created_at: at(-0.1),
      sent_at: at(0),
      ...extra,
    });
    await db.knex("messages").insert([
      // The ticker credited c1's purchase to this message (last touch).
      message("c1", { clicked_at: at(1), converted_at: at(2), conversion_event: "purchased" }),
      message("c2", { clicked_at: at(5) }),
      message("c3"),
      // Taken by the provider, no delivery report: it converts from its send like the others.
      message("c4", { status: "sent" }),
      message("c5", { is_test: true }),
      message("c5", { status: "canceled" }),
    ]);
    await insertEvents(db.knex, ids, [
      { contact: "c1", name: "purchased", at: at(2) }, // day 0 (< 24 h)
      { contact: "c1", name: "purchased", at: at(3) }, // a second purchase: still one conversion
      { contact: "c2", name: "purchased", at: at(30) }, // day 1 (< 48 h)
      { contact: "c3", name: "purchased", at: at(90) }, // day 3 (< 96 h)
      { contact: "c4", name: "purchased", at: at(-5) }, // before the send: not a conversion
      { contact: "c4", name: "purchased", at: at(150) }, // day 7 (< 192 h)
      { contact: "c5", name: "purchased", at: at(1) }, // test and canceled messages do not count
      { contact: "c3", name: "viewed", at: at(1) },
    ]);
    // The A/B arms: 1,000 contacts each, 100 vs 130 converting within a day of assignment.
    await db.knex.raw(
      `insert into contacts (external_id, attributes)
       select 'ab-' || g, '{}'::jsonb from generate_series(1, 2000) g`,
    );
    await db.knex.raw(
      `insert into enrollment_log (contact_id, journey_id, node_id, type, data, at)
       select c.id, 'ab', 'split', 'branched',
              jsonb_build_object('path', case when g <= 1000 then 'A' else 'B' end), ?
         from generate_series(1, 2000) g join contacts c on c.external_id = 'ab-' || g`,
      [T0],
    );
    await db.knex.raw(
      `insert into events (contact_id, message_id, name, occurred_at)
       select c.id, 'conv-' || g, 'purchased', ?::timestamptz + interval '20 hours'
         from generate_series(1, 2000) g join contacts c on c.external_id = 'ab-' || g
        where g <= 100 or (g > 1000 and g <= 1130)`,
      [T0],
    );
    // A branch's yes/no is not an arm.
    await db.knex("enrollment_log").insert({
      contact_id: ids.get("c1"),
      journey_id: "ab",
      node_id: "some_branch",
      type: "branched",
      data: JSON.stringify({ path: "yes" }),
      at: T0,
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("counts recipients, delivered, clicked and conversions at day 0, 1, 3 and 7 after the send", async () => {
    const r = await results();
    expect(r.goal?.event).toBe("purchased");
    expect(r.windows).toEqual([
      { day: 0, hours: 24 },
      { day: 1, hours: 48 },
      { day: 3, hours: 96 },
      { day: 7, hours: 192 },
    ]);
    const a = r.sends.find((s) => s.nodeId === "sms_a");
    expect(a).toMatchObject({
      label: "Coupon",
      recipients: 4,
      delivered: { count: 3, rate: 0.75 },
      clicked: { count: 2, rate: 0.5 },
      converted: [
        { day: 0, count: 1, rate: 0.25 },
        { day: 1, count: 2, rate: 0.5 },
        { day: 3, count: 3, rate: 0.75 },
        { day: 7, count: 4, rate: 1 },
      ],
      // Last touch credits each conversion once, to the contact's last send before it: c1's the
      // ticker recorded; c2–c4 bought when no enrollment ran to record it, read from the events
      // (issue #16: Last touch showed 0 beside these conversions).
      attributed: { count: 4, rate: 1 },
    });
    // A send without messages is listed with zeros, rates null rather than 0%.
    expect(r.sends.find((s) => s.nodeId === "sms_b")).toMatchObject({
      recipients: 0,
      delivered: { count: 0, rate: null },
      converted: [{ day: 0, count: 0, rate: null }, {}, {}, {}],
      attributed: { count: 0, rate: null },
    });
  });

  it("tests each arm against the first with a two-proportion z-test and says so in words", async () => {
    const r = await results();
    expect(r.splits).toHaveLength(1);
    const [control, b] = r.splits[0]?.arms ?? [];
    expect(control).toMatchObject({
      arm: "A",
      control: true,
      assigned: 1000,
      test: null,
      verdict: null,
    });
    expect(control?.converted?.map((c) => c.count)).toEqual([100, 100, 100, 100]);
    expect(b).toMatchObject({ arm: "B", control: false, assigned: 1000, recipients: 0 });
    expect(b?.converted?.[3]).toEqual({ day: 7, count: 130, rate: 0.13 });
    expect(b?.test?.z).toBeCloseTo(2.103, 3);
    expect(b?.test?.p).toBeCloseTo(0.0355, 4);
    expect(b?.verdict).toBe("B is ahead of A, 96% confidence; significant");
    // The same verdict as facts, for the console to word in its language (issue #20).
    expect(b?.verdictFacts).toEqual({
      kind: "ahead",
      control: "A",
      variant: "B",
      emptyArm: null,
      percent: 96,
      significant: true,
      smallSample: false,
    });
  });

  it("gives a daily series of sends and conversions, in the requested zone", async () => {
    const utc = await results("?tz=UTC");
    expect(utc.series[0]).toEqual({ date: "2026-02-01", sends: 4, conversions: 1 });
    expect(utc.series.map((p) => p.date)).toEqual([
      "2026-02-01",
      "2026-02-02",
      "2026-02-03",
      "2026-02-04",
      "2026-02-05",
      "2026-02-06",
      "2026-02-07",
    ]);
    expect(utc.series.reduce((s, p) => s + p.conversions, 0)).toBe(4);
    // 10:00 UTC + 150 h = 2026-02-07 16:00 UTC = 2026-02-08 00:00 in Shanghai.
    const sh = await results("?tz=Asia/Shanghai");
    expect(sh.series.at(-1)).toEqual({ date: "2026-02-08", sends: 0, conversions: 1 });
    expect((await get("/api/journeys/ab/results?tz=Mars/Olympus")).status).toBe(400);
    expect((await get("/api/journeys/ab/results?tz=x'%3B%20drop%20table%20messages")).status).toBe(
      400,
    );
    expect((await get("/api/journeys/nope/results")).status).toBe(404);
  });

  it("can count another event as the conversion", async () => {
    const r = await results("?event=viewed");
    expect(r.sends.find((s) => s.nodeId === "sms_a")?.converted?.[0]).toEqual({
      day: 0,
      count: 1,
      rate: 0.25,
    });
  });

  it("exports CSV: a header, one row per send node and split arm", async () => {
    const res = await get("/api/journeys/ab/results.csv");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(1 + 2 + 2);
    const rows = lines.map(parseCsvLine);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(rows[1]?.slice(0, 6)).toEqual(["send", "sms_a", "Coupon", "", "", "4"]);
    expect(rows[1]?.[col("converted_day3")]).toBe("3");
    expect(rows[1]?.[col("converted_day3_rate")]).toBe("0.75");
    expect(rows[1]?.[col("attributed")]).toBe("4");
    expect(rows[1]?.[col("attributed_rate")]).toBe("1");
    expect(rows[3]?.[col("arm")]).toBe("A");
    expect(rows[3]?.[col("verdict")]).toBe("control");
    expect(rows[4]?.[col("z")]).toBe("2.103");
    expect(rows[4]?.[col("p_value")]).toBe("0.0355");
    expect(rows[4]?.[col("verdict")]).toBe("B is ahead of A, 96% confidence; significant");
    expect(lines[4]).toContain('"B is ahead of A, 96% confidence; significant"');
  });
});

/**
 * A conversion needs a send before it: the window starts when the provider took the message.
 * Counting from when it was queued showed a purchase made between queueing and sending as a
 * conversion, then took it back once the send landed (the chart's number vanished).
 */
describe.each(databaseKinds)("conversions start at the send, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let ids: Map<string, number>;
  const late = { ...journey, id: "late", name: "Late sends" };
  const results = async () => {
    const res = await fetch(`${app.url}/api/journeys/late/results?tz=UTC`, {
      headers: { authorization: `Bearer ${app.secretKey}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Results;
  };
  /** sms_a's day-7 conversions, its last-touch credits and the series' conversions. */
  const numbers = async () => {
    const r = await results();
    const a = r.sends.find((s) => s.nodeId === "sms_a");
    return {
      converted: a?.converted?.[3]?.count,
      attributed: a?.attributed?.count,
      series: r.series.reduce((n, p) => n + p.conversions, 0),
    };
  };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-01T00:00:00Z"));
    await createJourney(db.knex, late, null);
    ids = await insertContacts(db.knex, [{ externalId: "q1" }, { externalId: "f1" }]);
    const message = (contact: string, status: string) => ({
      idempotency_key: `late-${contact}`,
      contact_id: ids.get(contact),
      journey_id: "late",
      node_id: "sms_a",
      channel: "sms",
      category: "promotional",
      body: "hi",
      status,
      created_at: at(0),
    });
    // q1's SMS is still queued when q1 buys; f1's failed, and f1 bought after it failed.
    await db.knex("messages").insert([message("q1", "queued"), message("f1", "failed")]);
    await insertEvents(db.knex, ids, [
      { contact: "q1", name: "purchased", at: at(0.5) },
      { contact: "f1", name: "purchased", at: at(2) },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("counts nothing for a queued or failed message, and nothing bought before the send", async () => {
    expect(await numbers()).toEqual({ converted: 0, attributed: 0, series: 0 });
    // The provider takes q1's SMS an hour after q1 bought: still no conversion.
    await db
      .knex("messages")
      .where({ idempotency_key: "late-q1" })
      .update({
        status: "sent",
        sent_at: at(1.5),
      });
    expect(await numbers()).toEqual({ converted: 0, attributed: 0, series: 0 });
    expect((await results()).series).toEqual([{ date: "2026-02-01", sends: 2, conversions: 0 }]);
    // q1 buys again after reading it: one conversion, credited to the send.
    await insertEvents(db.knex, ids, [{ contact: "q1", name: "purchased", at: at(3) }]);
    expect(await numbers()).toEqual({ converted: 1, attributed: 1, series: 1 });
  });
});

/** One RFC 4180 line: quoted cells may hold commas and doubled quotes. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cur);
      cur = "";
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}
