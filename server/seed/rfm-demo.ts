import type { Knex } from "knex";
import { mulberry32 } from "../../engine/shared/prng.ts";
import { refreshRfm } from "../audiences/rfm-refresh.ts";
import type { FieldCrypto } from "../privacy/keys.ts";

/**
 * The RFM demo: 10,000 contacts across five zones with two years of purchases (loyal, regular,
 * recently lapsed, long dormant, one-time and never-bought profiles), and past results for the
 * win-back journey (two coupons, deliveries, clicks, purchases after the send) and for the
 * send-time A/B test (three arms), so the RFM grid, audiences and results look real on first
 * start. Everything is relative to `now` and drawn from one seeded PRNG: the same `now` gives
 * the same rows.
 *
 * Set-based: rows are built in JS and inserted with jsonb_to_recordset in chunks (one statement
 * per 5,000 rows), which keeps PGlite to a few seconds for ~70,000 rows.
 */
export interface RfmDemoOptions {
  contacts: number;
  now: Date;
  seed?: number;
}

export interface RfmDemoResult {
  contacts: number;
  events: number;
  messages: number;
  ms: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
export const RFM_DEMO_PREFIX = "rfm-";

// share, zone, country, locale, phone prefix, serial digits, regions.
const ZONES = (
  [
    [
      0.4,
      "Asia/Shanghai",
      "CN",
      "zh-CN",
      "+86139",
      8,
      "Guangdong Zhejiang Shanghai Beijing Sichuan",
    ],
    [0.2, "America/New_York", "US", "en-US", "+1646555", 4, "NY NJ MA"],
    [0.15, "America/Los_Angeles", "US", "en-US", "+1323555", 4, "CA WA OR"],
    [0.15, "Europe/London", "GB", "en-GB", "+4477009", 5, "London Manchester Leeds"],
    [0.1, "Australia/Sydney", "AU", "en-AU", "+6141", 7, "NSW VIC"],
  ] as const
).map(([share, tz, country, locale, phone, digits, regions]) => ({
  share,
  tz,
  country,
  locale,
  phone,
  digits,
  regions: regions.split(" "),
}));

/** Buying profiles: share of contacts, order count range, days since the last order. */
const PROFILES = [
  { name: "loyal", share: 0.12, orders: [8, 25], last: [0, 20], spend: [80, 400] },
  { name: "regular", share: 0.23, orders: [3, 8], last: [3, 60], spend: [40, 250] },
  { name: "lapsed", share: 0.2, orders: [2, 6], last: [30, 90], spend: [40, 300] },
  { name: "dormant", share: 0.25, orders: [1, 10], last: [180, 700], spend: [30, 500] },
  { name: "one_time", share: 0.1, orders: [1, 1], last: [0, 700], spend: [20, 150] },
  { name: "never", share: 0.1, orders: [0, 0], last: [0, 0], spend: [0, 0] },
] as const;
type Profile = (typeof PROFILES)[number]["name"];

const FIRST =
  "Li Wei Fang Min Jing Hao Yan Ava Noah Mia Liam Emma Olivia Jack Amelia Chloe Leo".split(" ");
const ITEMS = [
  "cat food",
  "coffee beans",
  "running shoes",
  "face cream",
  "phone case",
  "green tea",
];

interface Draw {
  rand: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(items: readonly T[]) => T;
  share: <T extends { share: number }>(items: readonly T[]) => T;
}

function draw(seed: number): Draw {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const share = <T extends { share: number }>(items: readonly T[]): T => {
    let x = rand();
    for (const item of items) {
      x -= item.share;
      if (x < 0) return item;
    }
    return items[items.length - 1] as T;
  };
  return { rand, int, pick, share };
}

interface Person {
  externalId: string;
  profile: Profile;
  firstName: string;
  promo: boolean;
  purchases: { at: number; amount: number; item: string }[];
  row: Record<string, unknown>;
}

function people(count: number, now: number, crypto: FieldCrypto, d: Draw): Person[] {
  const out: Person[] = [];
  for (let i = 0; i < count; i++) {
    const zone = d.share(ZONES);
    const profile = d.share(PROFILES);
    const firstName = d.pick(FIRST);
    const orders = d.int(profile.orders[0], profile.orders[1]);
    const lastDays = d.int(profile.last[0], profile.last[1]);
    const basket = d.int(profile.spend[0], profile.spend[1]);
    const favourite = d.pick(ITEMS);
    const purchases: Person["purchases"] = [];
    for (let k = 0; k < orders; k++) {
      // The first order is the last one; the rest are spread over the two years before it.
      const days = k === 0 ? lastDays : d.int(lastDays + 1, Math.max(lastDays + 1, 730));
      const at = now - days * DAY - d.int(0, 23 * 60) * 60_000;
      const amount = Math.round(basket * (0.5 + d.rand()) * 100) / 100;
      purchases.push({ at, amount, item: d.rand() < 0.6 ? favourite : d.pick(ITEMS) });
    }
    const serial = String(i).padStart(zone.digits, "0").slice(-zone.digits);
    const phone = `${zone.phone}${serial}`;
    const since = new Date(now - d.int(30, 900) * DAY).toISOString();
    const promo = d.rand() < 0.85;
    const externalId = `${RFM_DEMO_PREFIX}${String(i + 1).padStart(5, "0")}`;
    out.push({
      externalId,
      profile: profile.name,
      firstName,
      promo,
      purchases,
      row: {
        external_id: externalId,
        email: `${firstName.toLowerCase()}.${i + 1}@shop.example`,
        phone_encrypted: crypto.encrypt(phone),
        phone_hash: crypto.blindIndex(phone),
        phone_country: zone.country,
        timezone: zone.tz,
        locale: zone.locale,
        consent: {
          sms: {
            promotional: { granted: promo, source: "signup_form", at: since },
            transactional: { granted: true, source: "signup_form", at: since },
            service: { granted: true, source: "signup_form", at: since },
          },
        },
        region: d.pick(zone.regions),
        topItem: favourite,
        birthday: new Date(Date.UTC(1965 + d.int(0, 40), d.int(0, 11), d.int(1, 28)))
          .toISOString()
          .slice(0, 10),
      },
    });
  }
  return out;
}

interface MessageRow {
  key: string;
  contact: string;
  journey: string;
  node: string;
  body: string;
  status: "sent" | "delivered" | "undelivered";
  sent_at: string;
  delivered_at: string | null;
  clicked_at: string | null;
  enrollment_id?: number | null;
}

/**
 * Win-back history: lapsed and dormant buyers who consented got coupon 1 on one of the last 60
 * days; those who did not click within two days got coupon 2. A click makes a purchase within
 * the week likely (the article's 6% orders within 3 days overall); each purchase is added to
 * the contact's history, so it also moves their RFM scores.
 */
function winBack(persons: Person[], now: number, d: Draw): MessageRow[] {
  const out: MessageRow[] = [];
  const send = (p: Person, node: string, at: number, clickP: number, buyP: number) => {
    const delivered = d.rand() < 0.94;
    const status = delivered ? "delivered" : d.rand() < 0.5 ? "sent" : "undelivered";
    const clicked = delivered && d.rand() < clickP;
    const clickAt = at + d.int(5, 36 * 60) * 60_000;
    out.push({
      key: `seed:win-back:${p.externalId}:${node}`,
      contact: p.externalId,
      journey: "win-back",
      node,
      body: `${p.firstName}, a 50-off-200 coupon is waiting for you (code BACK50), 48h left`,
      status,
      sent_at: new Date(at).toISOString(),
      delivered_at: delivered ? new Date(at + 20_000).toISOString() : null,
      clicked_at: clicked && clickAt < now ? new Date(clickAt).toISOString() : null,
    });
    const buys = d.rand() < (clicked ? buyP * 5 : buyP);
    // 40% the same day, then tailing off over the week.
    const when = d.rand();
    const delayH =
      when < 0.4
        ? d.int(1, 23)
        : when < 0.65
          ? d.int(24, 47)
          : when < 0.85
            ? d.int(48, 95)
            : d.int(96, 190);
    const buyAt = at + delayH * HOUR;
    if (buys && buyAt < now)
      p.purchases.push({ at: buyAt, amount: d.int(200, 420), item: "coupon order" });
    return clicked && clickAt < at + 2 * DAY;
  };
  for (const p of persons) {
    if (!p.promo || (p.profile !== "lapsed" && p.profile !== "dormant") || d.rand() < 0.3) continue;
    const at = now - d.int(9, 60) * DAY + d.int(9, 20) * HOUR;
    const clicked = send(p, "coupon_1", at, 0.14, 0.035);
    if (!clicked) send(p, "coupon_2", at + 2 * DAY + d.int(0, 3) * HOUR, 0.09, 0.025);
  }
  return out;
}

/** The send-time test: regular and loyal buyers split across 10:00, 12:30 and 19:00 local. */
function sendTimeTest(persons: Person[], now: number, d: Draw) {
  const arms = [
    { arm: "morning", node: "offer_1000", hour: 10, buy: 0.075 },
    { arm: "lunch", node: "offer_1230", hour: 12.5, buy: 0.105 },
    { arm: "evening", node: "offer_1900", hour: 19, buy: 0.09 },
  ] as const;
  const assigned: { contact: string; arm: string; at: number }[] = [];
  const messages: MessageRow[] = [];
  const start = now - 35 * DAY;
  for (const p of persons) {
    if (!p.promo || (p.profile !== "regular" && p.profile !== "loyal")) continue;
    const a = d.pick(arms);
    const at = start + d.int(0, 6) * DAY + d.int(0, 8) * HOUR;
    assigned.push({ contact: p.externalId, arm: a.arm, at });
    const sentAt = at + (a.hour + 16) * HOUR;
    const delivered = d.rand() < 0.95;
    messages.push({
      key: `seed:send-time-ab:${p.externalId}:${a.node}`,
      contact: p.externalId,
      journey: "send-time-ab",
      node: a.node,
      body: `${p.firstName}, 20% off your next ${p.purchases[0]?.item ?? "order"} today`,
      status: delivered ? "delivered" : "undelivered",
      sent_at: new Date(sentAt).toISOString(),
      delivered_at: delivered ? new Date(sentAt + 15_000).toISOString() : null,
      clicked_at:
        delivered && d.rand() < 0.12
          ? new Date(sentAt + d.int(2, 600) * 60_000).toISOString()
          : null,
    });
    if (d.rand() < a.buy)
      p.purchases.push({
        at: sentAt + d.int(1, 150) * HOUR,
        amount: d.int(60, 300),
        item: "offer order",
      });
  }
  return { assigned, messages };
}

async function chunked(
  rows: readonly unknown[],
  size: number,
  fn: (chunk: string) => Promise<void>,
) {
  for (let i = 0; i < rows.length; i += size) await fn(JSON.stringify(rows.slice(i, i + size)));
}

export async function seedRfmDemo(
  knex: Knex,
  crypto: FieldCrypto,
  options: RfmDemoOptions,
): Promise<RfmDemoResult> {
  const started = performance.now();
  const now = options.now.getTime();
  const exists = await knex("contacts").where("external_id", `${RFM_DEMO_PREFIX}00001`).first("id");
  if (exists) return { contacts: 0, events: 0, messages: 0, ms: 0 };
  const d = draw(options.seed ?? 7);
  const persons = people(options.contacts, now, crypto, d);
  const win = winBack(persons, now, d);
  const ab = sendTimeTest(persons, now, d);
  const result = await knex.transaction(async (trx) => {
    const ids = new Map<string, number>();
    // Attributes are computed after the campaigns added their purchases, so they agree with
    // the events (the win-back journey's condition reads orderCount).
    const contactRows = persons.map((p) => {
      const sorted = p.purchases.sort((a, b) => a.at - b.at);
      const last = sorted.at(-1);
      const { region, topItem, birthday, ...row } = p.row;
      return {
        ...row,
        attributes: {
          firstName: p.firstName,
          region,
          topItem,
          birthday,
          orderCount: sorted.length,
          totalSpent: Math.round(sorted.reduce((s, x) => s + x.amount, 0) * 100) / 100,
          lastPurchaseAt: last ? new Date(last.at).toISOString() : null,
        },
      };
    });
    await chunked(contactRows, 5000, async (json) => {
      const { rows } = (await trx.raw(
        `insert into contacts (external_id, email, phone_encrypted, phone_hash, phone_country, timezone, locale, attributes, consent, created_at)
         select x.external_id, x.email, x.phone_encrypted, x.phone_hash, x.phone_country, x.timezone, x.locale, x.attributes, x.consent, ?
           from jsonb_to_recordset(?::jsonb) as x(external_id text, email text, phone_encrypted text, phone_hash text,
                phone_country text, timezone text, locale text, attributes jsonb, consent jsonb)
         returning id, external_id`,
        [new Date(now - 730 * DAY), json],
      )) as { rows: { id: string | number; external_id: string }[] };
      for (const r of rows) ids.set(r.external_id, Number(r.id));
    });
    const events = persons.flatMap((p) =>
      p.purchases.map((x, k) => ({
        contact_id: ids.get(p.externalId),
        message_id: `seed-${p.externalId}-${k}`,
        properties: { amount: x.amount, item: x.item, currency: "CNY" },
        occurred_at: new Date(x.at).toISOString(),
      })),
    );
    await chunked(events, 5000, async (json) => {
      await trx.raw(
        `insert into events (contact_id, message_id, name, properties, occurred_at, received_at)
         select x.contact_id, x.message_id, 'purchased', x.properties, x.occurred_at, x.occurred_at
           from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, message_id text, properties jsonb, occurred_at timestamptz)`,
        [json],
      );
    });
    const enrollmentOf = await abEnrollments(trx, ab.assigned, ids, now);
    const messages = [...win, ...ab.messages].map((m) => ({
      ...m,
      contact_id: ids.get(m.contact),
      enrollment_id: m.journey === "send-time-ab" ? (enrollmentOf.get(m.contact) ?? null) : null,
    }));
    await chunked(messages, 5000, async (json) => {
      await trx.raw(
        `insert into messages (idempotency_key, contact_id, enrollment_id, journey_id, node_id, channel, category, body,
                               status, provider, attempts, is_test, created_at, next_attempt_at, sent_at, delivered_at, clicked_at, updated_at)
         select x.key, x.contact_id, x.enrollment_id, x.journey, x.node, 'sms', 'promotional', x.body,
                x.status, 'console', 1, false, x.sent_at, x.sent_at, x.sent_at, x.delivered_at, x.clicked_at, coalesce(x.clicked_at, x.sent_at)
           from jsonb_to_recordset(?::jsonb) as x(key text, contact_id bigint, enrollment_id bigint, journey text, node text,
                body text, status text, sent_at timestamptz, delivered_at timestamptz, clicked_at timestamptz)`,
        [json],
      );
    });
    return {
      contacts: persons.length,
      events: events.length,
      messages: messages.length,
      ms: 0,
    };
  });
  // Score the new purchases now rather than on the first grid request or scanner run.
  await refreshRfm(knex, options.now);
  return { ...result, ms: Math.round(performance.now() - started) };
}

/**
 * The A/B arms need enrollments (results join an arm's messages through enrollment_id): one
 * completed enrollment per assigned contact on the send-time journey's draft, and its
 * `branched` log row. Skipped when the example journey was not seeded.
 */
async function abEnrollments(
  trx: Knex.Transaction,
  assigned: { contact: string; arm: string; at: number }[],
  ids: Map<string, number>,
  now: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const byId = new Map([...ids].map(([ext, id]) => [id, ext]));
  const version = (await trx("journey_versions")
    .where({ journey_id: "send-time-ab" })
    .orderBy("is_draft")
    .first("id")) as { id: string | number } | undefined;
  if (!version || assigned.length === 0) return out;
  const rows = assigned.map((a) => ({
    contact_id: ids.get(a.contact),
    arm: a.arm,
    at: new Date(a.at).toISOString(),
    ended: new Date(Math.min(now, a.at + 8 * DAY)).toISOString(),
  }));
  await chunked(rows, 5000, async (json) => {
    const { rows: inserted } = (await trx.raw(
      `with x as (select * from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, arm text, at timestamptz, ended timestamptz)),
       e as (
         insert into enrollments (contact_id, journey_id, version_id, status, current_node, entered_at, updated_at, ended_at, exit_reason)
         select x.contact_id, 'send-time-ab', ?, 'completed', 'done', x.at, x.ended, x.ended, 'exit_node' from x
         returning id, contact_id),
       l as (
         insert into enrollment_log (contact_id, enrollment_id, journey_id, version_id, node_id, type, detail, data, at)
         select e.contact_id, e.id, 'send-time-ab', ?, 'split', 'branched', 'arm ' || x.arm, jsonb_build_object('path', x.arm), x.at
           from e join x on x.contact_id = e.contact_id
         returning 1)
       select e.id, e.contact_id from e`,
      [json, Number(version.id), Number(version.id)],
    )) as { rows: { id: string | number; contact_id: string | number }[] };
    for (const r of inserted) {
      const ext = byId.get(Number(r.contact_id));
      if (ext) out.set(ext, Number(r.id));
    }
  });
  return out;
}
