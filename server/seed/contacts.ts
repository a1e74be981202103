import { mulberry32 } from "../../engine/shared/prng.ts";
/**
 * Deterministic demo contacts: the same 300 people on every fresh install, so screenshots, docs
 * and tests agree. Spread across zones the quiet-hours rules care about.
 */
export interface DemoContact {
  externalId: string;
  email: string;
  phone: string;
  country: string;
  timezone: string;
  locale: string;
  attributes: Record<string, unknown>;
  consent: Record<string, Record<string, { granted: boolean; source: string; at: string }>>;
}

const REGIONS = [
  {
    country: "CN",
    timezone: "Asia/Shanghai",
    locale: "zh-CN",
    prefix: "+86138",
    digits: 8,
    regions: ["Guangdong", "Zhejiang", "Shanghai", "Beijing", "Sichuan"],
  },
  {
    country: "US",
    timezone: "America/New_York",
    locale: "en-US",
    prefix: "+1212555",
    digits: 4,
    regions: ["NY", "NJ", "MA"],
  },
  {
    country: "US",
    timezone: "America/Los_Angeles",
    locale: "en-US",
    prefix: "+1415555",
    digits: 4,
    regions: ["CA", "WA"],
  },
  {
    country: "GB",
    timezone: "Europe/London",
    locale: "en-GB",
    prefix: "+447700900",
    digits: 3,
    regions: ["London", "Manchester"],
  },
] as const;

const FIRST = [
  "Li",
  "Wei",
  "Fang",
  "Min",
  "Jing",
  "Ava",
  "Noah",
  "Mia",
  "Liam",
  "Emma",
  "Olivia",
  "Jack",
  "Amelia",
  "Hao",
  "Yan",
];
const ITEMS = [
  "cat food",
  "coffee beans",
  "running shoes",
  "face cream",
  "phone case",
  "green tea",
  "dog treats",
];

export function demoContacts(count: number, seed = 42, now = Date.UTC(2026, 10, 1)): DemoContact[] {
  const rand = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const out: DemoContact[] = [];
  for (let i = 0; i < count; i++) {
    const region = REGIONS[i % REGIONS.length] ?? REGIONS[0];
    const serial = String(i).padStart(region.digits, "0").slice(-region.digits);
    const firstName = pick(FIRST);
    const orders = Math.floor(rand() * 12);
    const lastPurchaseDaysAgo = Math.floor(rand() * 365);
    const birthday = new Date(
      Date.UTC(
        1970 + Math.floor(rand() * 35),
        Math.floor(rand() * 12),
        1 + Math.floor(rand() * 28),
      ),
    );
    const since = new Date(now - Math.floor(rand() * 700) * 86_400_000).toISOString();
    const promo = rand() < 0.85;
    out.push({
      externalId: `demo-${String(i + 1).padStart(4, "0")}`,
      email: `${firstName.toLowerCase()}.${i + 1}@example.com`,
      phone: `${region.prefix}${serial}`.padEnd(region.prefix.length + region.digits, "0"),
      country: region.country,
      timezone: region.timezone,
      locale: region.locale,
      attributes: {
        firstName,
        region: pick(region.regions),
        orders,
        totalSpent: orders * (50 + Math.floor(rand() * 300)),
        lastPurchaseAt:
          orders > 0 ? new Date(now - lastPurchaseDaysAgo * 86_400_000).toISOString() : null,
        topItem: pick(ITEMS),
        birthday: birthday.toISOString().slice(0, 10),
      },
      consent: {
        sms: {
          promotional: { granted: promo, source: "signup_form", at: since },
          transactional: { granted: true, source: "signup_form", at: since },
          service: { granted: true, source: "signup_form", at: since },
        },
      },
    });
  }
  return out;
}
