import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAudience } from "../../engine/audience/validate.ts";
import { estimate, isMember, memberIds } from "../../server/audiences/queries.ts";
import { migrateLatest } from "../../server/db/migrate.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { daysAgo, grant, insertContacts, insertEvents, NOW, namesOf } from "./fixture.ts";

/**
 * Every condition type against a crafted dataset, on each database: the compiled SQL must pick
 * exactly the contacts the definition describes.
 */
describe.each(databaseKinds)("audience conditions on %s", (kind) => {
  let db: TestDatabase;
  let ids: Map<string, number>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await migrateLatest(db.knex);
    ids = await insertContacts(db.knex, [
      {
        externalId: "gd-loyal",
        attributes: {
          region: "Guangdong",
          firstName: "Li",
          orders: 5,
          vip: true,
          tags: ["cat", "dog"],
          score: "42",
          address: { province: "Guangdong" },
          joined: "2024-05-01",
        },
        consent: grant(true),
      },
      {
        externalId: "zj-lapsed",
        attributes: {
          region: "Zhejiang",
          orders: 2,
          score: 7,
          tags: ["cat"],
          joined: "2023-01-10",
        },
        consent: grant(false),
      },
      { externalId: "sh-dormant", attributes: { region: "Shanghai", orders: 1, score: "n/a" } },
      {
        externalId: "no-buy",
        attributes: { region: "Guangdong", firstName: "" },
        consent: grant(true),
      },
      { externalId: "odd", attributes: { region: null, orders: "lots", tags: "cat-lover" } },
    ]);
    await insertEvents(db.knex, ids, [
      {
        contact: "gd-loyal",
        name: "purchased",
        at: daysAgo(5),
        properties: { amount: 100, sku: "A" },
      },
      {
        contact: "gd-loyal",
        name: "purchased",
        at: daysAgo(20),
        properties: { amount: 200, sku: "B" },
      },
      {
        contact: "gd-loyal",
        name: "purchased",
        at: daysAgo(60),
        properties: { amount: 50, sku: "A" },
      },
      { contact: "gd-loyal", name: "purchased", at: daysAgo(100), properties: { amount: 150 } },
      {
        contact: "zj-lapsed",
        name: "purchased",
        at: daysAgo(45),
        properties: { amount: 500, sku: "A" },
      },
      { contact: "zj-lapsed", name: "purchased", at: daysAgo(200), properties: { amount: "20" } },
      { contact: "sh-dormant", name: "purchased", at: daysAgo(400), properties: { amount: 1000 } },
      // Odd amounts never break a sum; a future event is not "in the last N days".
      { contact: "odd", name: "viewed", at: daysAgo(1), properties: { amount: "free" } },
      { contact: "odd", name: "purchased", at: daysAgo(-3), properties: { amount: 5 } },
    ]);
    await db.knex("suppressions").insert({
      contact_id: ids.get("no-buy"),
      channel: "sms",
      category: "*",
      reason: "keyword",
      source: "test",
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  async function members(doc: unknown): Promise<string[]> {
    const parsed = parseAudience(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const found = namesOf(ids, await memberIds(db.knex, parsed.definition, NOW));
    const { count } = await estimate(db.knex, parsed.definition, NOW);
    expect(count).toBe(found.length);
    return found;
  }

  const attr = (attribute: string, op: string, value?: unknown) =>
    value === undefined ? { attribute, op } : { attribute, op, value };

  it.each([
    ["eq", attr("region", "eq", "Guangdong"), ["gd-loyal", "no-buy"]],
    [
      "neq (missing counts as different)",
      attr("region", "neq", "Guangdong"),
      ["odd", "sh-dormant", "zj-lapsed"],
    ],
    ["in", attr("region", "in", ["Zhejiang", "Shanghai"]), ["sh-dormant", "zj-lapsed"]],
    ["not_in", attr("region", "not_in", ["Zhejiang", "Shanghai"]), ["gd-loyal", "no-buy", "odd"]],
    ["gt", attr("orders", "gt", 1), ["gd-loyal", "zj-lapsed"]],
    ["gte", attr("orders", "gte", 2), ["gd-loyal", "zj-lapsed"]],
    ["lt", attr("orders", "lt", 2), ["sh-dormant"]],
    ["lte", attr("orders", "lte", 1), ["sh-dormant"]],
    ["numeric string equals number", attr("score", "eq", 42), ["gd-loyal"]],
    ["number equals numeric string", attr("score", "eq", "7"), ["zj-lapsed"]],
    ["numeric string compares as a number", attr("score", "gt", 10), ["gd-loyal"]],
    ["exists ('' and null do not count)", attr("firstName", "exists"), ["gd-loyal"]],
    ["not_exists", attr("firstName", "not_exists"), ["no-buy", "odd", "sh-dormant", "zj-lapsed"]],
    ["contains in a list", attr("tags", "contains", "dog"), ["gd-loyal"]],
    ["contains in text", attr("tags", "contains", "lover"), ["odd"]],
    ["contains substring", attr("region", "contains", "dong"), ["gd-loyal", "no-buy"]],
    ["nested path", attr("address.province", "eq", "Guangdong"), ["gd-loyal"]],
    ["dates compare as ISO text", attr("joined", "gte", "2024-01-01"), ["gd-loyal"]],
    ["boolean", attr("vip", "eq", true), ["gd-loyal"]],
    ["null", attr("region", "eq", null), ["odd"]],
  ])("attribute %s", async (_name, doc, expected) => {
    expect(await members(doc)).toEqual(expected);
  });

  const purchased = { event: "purchased" };
  it.each([
    [
      "≥ 3 orders in 180 days",
      { ...purchased, count: true, op: "gte", value: 3, within: "P180D" },
      ["gd-loyal"],
    ],
    [
      "< 2 orders in 180 days (contacts with none match too)",
      { ...purchased, count: true, op: "lt", value: 2, within: "P180D" },
      ["no-buy", "odd", "sh-dormant", "zj-lapsed"],
    ],
    ["exactly 2 orders ever", { ...purchased, count: true, op: "eq", value: 2 }, ["zj-lapsed"]],
    [
      "count with a property filter",
      {
        ...purchased,
        where: [{ field: "sku", op: "eq", value: "A" }],
        count: true,
        op: "gte",
        value: 2,
      },
      ["gd-loyal"],
    ],
    [
      "sum of amount (numeric strings count) in a year",
      { ...purchased, sum: { property: "amount" }, op: "gt", value: 499, within: "P1Y" },
      ["gd-loyal", "zj-lapsed"],
    ],
    [
      "sum ≤ 0 (no purchases up to now)",
      { ...purchased, sum: { property: "amount" }, op: "lte", value: 0 },
      ["no-buy", "odd"],
    ],
    [
      "last between 30 and 90 days ago",
      { ...purchased, lastBetween: { from: "P30D", to: "P90D" } },
      ["zj-lapsed"],
    ],
    [
      "last more than 180 days ago",
      { ...purchased, lastBetween: { from: "P180D" } },
      ["sh-dormant"],
    ],
    ["last within 10 days", { ...purchased, lastBetween: { to: "P10D" } }, ["gd-loyal"]],
    ["never purchased", { ...purchased, never: true }, ["no-buy", "odd"]],
    [
      "not purchased in 180 days",
      { ...purchased, never: true, within: "P180D" },
      ["no-buy", "odd", "sh-dormant"],
    ],
  ])("event %s", async (_name, doc, expected) => {
    expect(await members(doc)).toEqual(expected);
  });

  it("consent: granted and not opted out", async () => {
    // no-buy granted promotional SMS but replied STOP (suppression sms/*); zj declined.
    expect(await members({ consent: { channel: "sms", category: "promotional" } })).toEqual([
      "gd-loyal",
    ]);
    await db.knex("suppressions").update({ revoked_at: NOW });
    expect(await members({ consent: { channel: "sms", category: "promotional" } })).toEqual([
      "gd-loyal",
      "no-buy",
    ]);
  });

  it("rfm: contacts with purchases have scores; others never match", async () => {
    expect(await members({ rfm: {} })).toEqual(["gd-loyal", "sh-dormant", "zj-lapsed"]);
    // Three buyers: ntile(5) gives scores 1, 2, 3 by recency (5 days, 45 days, 400 days ago).
    expect(await members({ rfm: { r: [3, 5] } })).toEqual(["gd-loyal"]);
    expect(await members({ rfm: { r: [1, 1] } })).toEqual(["sh-dormant"]);
  });

  it("and / or / not, nested", async () => {
    const gd = attr("region", "eq", "Guangdong");
    const buyer = { not: { ...purchased, never: true } };
    expect(await members({ and: [gd, buyer] })).toEqual(["gd-loyal"]);
    expect(
      await members({ or: [gd, { ...purchased, lastBetween: { from: "P30D", to: "P90D" } }] }),
    ).toEqual(["gd-loyal", "no-buy", "zj-lapsed"]);
    expect(await members({ not: { or: [gd, buyer] } })).toEqual(["odd"]);
    expect(await members({ and: [] })).toHaveLength(5);
    expect(await members({ or: [] })).toEqual([]);
    const deep = {
      and: [
        { or: [gd, attr("region", "eq", "Zhejiang")] },
        {
          not: {
            and: [
              { ...purchased, count: true, op: "lt", value: 1 },
              attr("firstName", "not_exists"),
            ],
          },
        },
      ],
    };
    expect(await members(deep)).toEqual(["gd-loyal", "zj-lapsed"]);
  });

  it("isMember answers for the given contacts only, live", async () => {
    await db.knex("audiences").insert({
      id: "guangdong",
      name: "Guangdong",
      definition: JSON.stringify(attr("region", "eq", "Guangdong")),
    });
    const all = [...ids.values()];
    expect(namesOf(ids, await isMember(db.knex, "guangdong", all, NOW))).toEqual([
      "gd-loyal",
      "no-buy",
    ]);
    const one = ids.get("zj-lapsed") ?? 0;
    expect([...(await isMember(db.knex, "guangdong", [one], NOW))]).toEqual([]);
    expect([...(await isMember(db.knex, "missing", all, NOW))]).toEqual([]);
    expect([...(await isMember(db.knex, "guangdong", [], NOW))]).toEqual([]);
  });
});
