import { parseArgs } from "node:util";
import type { Condition } from "../../engine/audience/schema.ts";
import { estimate } from "../../server/audiences/queries.ts";
import { rfmGrid } from "../../server/audiences/rfm.ts";
import { refreshRfm, refreshRfmIfStale } from "../../server/audiences/rfm-refresh.ts";
import { connect } from "../../server/db/connect.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { freshBenchDatabase } from "../lib/database.ts";
import { writeSection } from "../lib/report.ts";

/**
 * bench/audience: the size estimate (one compiled statement, `select count(*)`) on 100,000
 * contacts with 1,000,000 events on PostgreSQL, for representative audiences; target < 1 s.
 * Data is generated set-based in SQL from hashes of the row number, so every run sees the same
 * rows: 60% of events are `purchased` with an amount, spread over two years, contacts skewed
 * so some buy often and many rarely.
 *
 * The RFM rows read contact_rfm (server/audiences/rfm-refresh.ts), so the refreshes that keep
 * it are measured too: full into an empty table (the first computation on a database that
 * already has purchases), full with nothing to change (the scanner's hourly one), and
 * incremental after 100 new purchases (what the scanner pays each minute purchases arrive).
 *
 *   npm run bench -- audience [--contacts 100000] [--events 1000000] [--runs 5]
 */
const { values } = parseArgs({
  options: {
    contacts: { type: "string", default: "100000" },
    events: { type: "string", default: "1000000" },
    runs: { type: "string", default: "5" },
  },
  allowPositionals: true,
});
const contacts = Number(values.contacts);
const events = Number(values.events);
const runs = Number(values.runs);
const url = await freshBenchDatabase("waymark_bench_audience", "audience");
const db = await connect({ url, poolMax: 2 });
await migrateLatest(db.knex);
const now = new Date("2026-11-01T00:00:00Z");

console.log(`seeding ${contacts.toLocaleString()} contacts, ${events.toLocaleString()} events…`);
const seedStart = performance.now();
// h(x) = a stable pseudo-random non-negative int per (row, salt).
await db.knex.raw(
  `insert into contacts (external_id, attributes, consent)
   select 'c' || g,
          jsonb_build_object(
            'region', (array['Guangdong','Zhejiang','Shanghai','Beijing','Sichuan','NY','CA','London'])[1 + abs(hashtext(g || 'r')) % 8],
            'orders', abs(hashtext(g || 'o')) % 20,
            'vip', abs(hashtext(g || 'v')) % 10 = 0,
            'tier', (array['gold','silver','bronze'])[1 + abs(hashtext(g || 't')) % 3]),
          jsonb_build_object('sms', jsonb_build_object('promotional',
            jsonb_build_object('granted', abs(hashtext(g || 'c')) % 100 < 85)))
     from generate_series(1, ?::int) g`,
  [contacts],
);
// Contact ids skew towards the low end (square of a uniform): frequent buyers and rare ones.
await db.knex.raw(
  `insert into events (contact_id, message_id, name, properties, occurred_at)
   select 1 + floor(power((abs(hashtext(g || 'k')) % 1000000) / 1000000.0, 2) * ?::int)::bigint,
          'e' || g,
          case when abs(hashtext(g || 'n')) % 10 < 6 then 'purchased'
               when abs(hashtext(g || 'n')) % 10 < 9 then 'viewed' else 'cart_abandoned' end,
          jsonb_build_object('amount', 10 + abs(hashtext(g || 'a')) % 490, 'sku', 'S' || abs(hashtext(g || 's')) % 50),
          ?::timestamptz - make_interval(mins => abs(hashtext(g || 't')) % (730 * 24 * 60))
     from generate_series(1, ?::int) g`,
  [contacts, now, events],
);
await db.knex.raw("vacuum analyze contacts");
await db.knex.raw("vacuum analyze events");
const seedMs = performance.now() - seedStart;
console.log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);

const audiences: { name: string; definition: Condition }[] = [
  {
    name: "attribute: region = Guangdong",
    definition: { attribute: "region", op: "eq", value: "Guangdong" },
  },
  {
    name: "≥ 3 purchases in 180 days",
    definition: { event: "purchased", count: true, op: "gte", value: 3, within: "P180D" },
  },
  {
    name: "win-back: last purchase 30–90 days ago, spent ≥ 500 in a year",
    definition: {
      and: [
        { event: "purchased", lastBetween: { from: "P30D", to: "P90D" } },
        { event: "purchased", sum: { property: "amount" }, op: "gte", value: 500, within: "P1Y" },
      ],
    },
  },
  {
    name: "RFM cell r=1–2, f=4–5, m=4–5 (dormant, high value)",
    definition: { rfm: { r: [1, 2], f: [4, 5], m: [4, 5] } },
  },
  {
    name: "nested and/or/not + consent",
    definition: {
      and: [
        {
          or: [
            { attribute: "region", op: "in", value: ["Guangdong", "Zhejiang"] },
            { attribute: "vip", op: "eq", value: true },
          ],
        },
        { not: { event: "cart_abandoned", never: true, within: "P30D" } },
        { event: "purchased", count: true, op: "lt", value: 2, within: "P90D" },
        { consent: { channel: "sms", category: "promotional" } },
      ],
    },
  },
];

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const row = (name: string, count: string, times: number[]) => {
  const line = `| ${name} | ${count} | ${median(times)} | ${Math.max(...times)} |`;
  console.log(line);
  return line;
};

const rows: string[] = [];
// From empty each run: truncate leaves no dead rows behind to slow the next run down.
const fill: number[] = [];
let buyers = 0;
for (let i = 0; i < runs; i++) {
  await db.knex.raw("truncate contact_rfm");
  const r = await refreshRfm(db.knex, now);
  fill.push(r.ms);
  buyers = r.buyers;
}
rows.push(
  row(
    "RFM refresh, full, into an empty table (first computation)",
    buyers.toLocaleString("en"),
    fill,
  ),
);
// What autovacuum does within a minute of the first fill; the queries below assume it.
await db.knex.raw("vacuum analyze contact_rfm");
const hourly: number[] = [];
for (let i = 0; i < runs; i++) hourly.push((await refreshRfm(db.knex, now)).ms);
rows.push(row("RFM refresh, full, nothing changed (the scanner's hourly one)", "0", hourly));
for (const aud of audiences) {
  const times: number[] = [];
  let count = 0;
  await estimate(db.knex, aud.definition, now); // warm the cache
  for (let i = 0; i < runs; i++) {
    const r = await estimate(db.knex, aud.definition, now);
    times.push(r.ms);
    count = r.count;
  }
  rows.push(row(aud.name, count.toLocaleString("en"), times));
}
const gridTimes: number[] = [];
for (let i = 0; i < runs; i++) gridTimes.push((await rfmGrid(db.knex, now)).ms);
rows.push(row("RFM grid (GET /api/rfm: 25 cells + axes)", "—", gridTimes));

// The scanner's case: 100 purchases arrived since the last refresh.
const after: number[] = [];
let written = 0;
for (let i = 0; i < runs; i++) {
  await db.knex.raw(
    `insert into events (contact_id, message_id, name, properties, occurred_at)
     select 1 + abs(hashtext(g || 'k' || ?::int)) % ?::int, 'new-' || ?::int || '-' || g, 'purchased',
            jsonb_build_object('amount', 10 + abs(hashtext(g || 'a')) % 490),
            ?::timestamptz - make_interval(mins => g)
       from generate_series(1, 100) g`,
    [i, contacts, i, now],
  );
  const r = await refreshRfmIfStale(db.knex, now);
  if (!r || r.full) throw new Error("new purchases alone must refresh incrementally");
  after.push(r.ms);
  written += r.written;
}
rows.push(
  row(
    "RFM refresh, incremental, after 100 new purchases (the scanner's each minute)",
    Math.round(written / runs).toLocaleString("en"),
    after,
  ),
);
await db.close();

const table = `
Size estimate (\`POST /api/audiences/estimate\`: one compiled statement, \`count(*)\`) on
PostgreSQL, ${contacts.toLocaleString("en")} contacts and ${events.toLocaleString("en")} events
(60% \`purchased\` with an amount, over two years), median and worst of ${runs} runs after one
warm-up. Target: < 1 s. Seeding took ${(seedMs / 1000).toFixed(1)} s. The RFM rows read the
scores precomputed in \`contact_rfm\`; the refresh rows time keeping them (members: buyers
scored, or the mean number of rows a refresh rewrote).

| audience | members | median ms | max ms |
|---|---:|---:|---:|
${rows.join("\n")}
`;
writeSection("audience", "Audiences", table);
