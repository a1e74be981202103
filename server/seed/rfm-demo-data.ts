import { createHash } from "node:crypto";
import { mulberry32 } from "../../engine/shared/prng.ts";
import {
  composeMessage,
  DEFAULT_LINK_SHAPE,
  type MessageSpec,
  templateUser,
  trackedLink,
} from "../../engine/sms/compose.ts";
import type { FieldCrypto } from "../privacy/keys.ts";

/**
 * The RFM demo's rows, drawn from one seeded PRNG relative to `now` (pure: no I/O): the
 * contacts and their purchase histories, the win-back journey's past sends, and the send-time
 * A/B test's arms. rfm-demo.ts writes them.
 */
export const DAY = 86_400_000;
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

export interface Draw {
  rand: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(items: readonly T[]) => T;
  share: <T extends { share: number }>(items: readonly T[]) => T;
}

export function draw(seed: number): Draw {
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

export interface Person {
  externalId: string;
  profile: Profile;
  firstName: string;
  promo: boolean;
  purchases: { at: number; amount: number; item: string }[];
  row: Record<string, unknown>;
}

export function people(count: number, now: number, crypto: FieldCrypto, d: Draw): Person[] {
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

export interface MessageRow {
  key: string;
  contact: string;
  journey: string;
  node: string;
  body: string;
  /** As a real send stores them: composeMessage's segment count of the body. */
  encoding: string;
  parts: number;
  status: "sent" | "delivered" | "undelivered";
  sent_at: string;
  delivered_at: string | null;
  clicked_at: string | null;
  enrollment_id?: number | null;
}

/**
 * The send nodes of the seeded journeys, by `journey:node` (rfm-demo.ts reads them from the
 * journeys' drafts), so past messages carry the text those nodes send.
 */
export type SeedSpecs = ReadonlyMap<string, MessageSpec>;

/**
 * A past SMS as the send step would have written it: the node's template rendered for the
 * person by composeMessage (opt-out line included on promotional SMS), its tracked link of the
 * runtime's shape with a token derived from the message key (the PRNG's sequence, and so every
 * other seeded number, stays as it was), and the encoding and parts counted from that body.
 * Without the node (the journey was not seeded) `fallback` is the template.
 */
function seededSms(
  specs: SeedSpecs,
  journey: string,
  node: string,
  fallback: string,
  p: Person,
  key: string,
): Pick<MessageRow, "body" | "encoding" | "parts"> {
  const spec = specs.get(`${journey}:${node}`) ?? {
    channel: "sms",
    category: "promotional",
    template: fallback,
  };
  const token = createHash("sha256")
    .update(key)
    .digest("base64url")
    .slice(0, DEFAULT_LINK_SHAPE.tokenLength);
  const locale = typeof p.row.locale === "string" ? p.row.locale : undefined;
  const composed = composeMessage(spec, {
    vars: {
      user: templateUser({
        id: p.externalId,
        attributes: { firstName: p.firstName },
        email: typeof p.row.email === "string" ? p.row.email : undefined,
        locale,
      }),
      event: {},
      journey: { id: journey, name: journey },
    },
    contactLocale: locale,
    trackLink: () => trackedLink(DEFAULT_LINK_SHAPE.base, token),
    zone: typeof p.row.timezone === "string" ? p.row.timezone : undefined,
  });
  if (!composed.ok) throw new Error(`seed template ${journey}:${node}: ${composed.error}`);
  return {
    body: composed.body,
    encoding: composed.segments?.encoding ?? "GSM-7",
    parts: composed.segments?.parts ?? 1,
  };
}

/**
 * Win-back history: lapsed and dormant buyers who consented got coupon 1 on one of the last 60
 * days; those who did not click within two days got coupon 2. A click makes a purchase within
 * the week likely (the article's 6% orders within 3 days overall); each purchase is added to
 * the contact's history, so it also moves their RFM scores.
 */
export function winBack(
  persons: Person[],
  now: number,
  d: Draw,
  specs: SeedSpecs = new Map(),
): MessageRow[] {
  const out: MessageRow[] = [];
  const send = (p: Person, node: string, at: number, clickP: number, buyP: number) => {
    const delivered = d.rand() < 0.94;
    const status = delivered ? "delivered" : d.rand() < 0.5 ? "sent" : "undelivered";
    const clicked = delivered && d.rand() < clickP;
    const clickAt = at + d.int(5, 36 * 60) * 60_000;
    const key = `seed:win-back:${p.externalId}:${node}`;
    out.push({
      key,
      contact: p.externalId,
      journey: "win-back",
      node,
      ...seededSms(
        specs,
        "win-back",
        node,
        `${p.firstName}, a 50-off-200 coupon is waiting for you (code BACK50), 48h left`,
        p,
        key,
      ),
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
export function sendTimeTest(
  persons: Person[],
  now: number,
  d: Draw,
  specs: SeedSpecs = new Map(),
) {
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
    const key = `seed:send-time-ab:${p.externalId}:${a.node}`;
    messages.push({
      key,
      contact: p.externalId,
      journey: "send-time-ab",
      node: a.node,
      ...seededSms(
        specs,
        "send-time-ab",
        a.node,
        `${p.firstName}, 20% off your next ${p.purchases[0]?.item ?? "order"} today`,
        p,
        key,
      ),
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
