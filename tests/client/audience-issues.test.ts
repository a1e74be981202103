import { describe, expect, it } from "vitest";
import type { AudienceIssue } from "../../client/src/api.ts";
import { i18n } from "../../client/src/i18n/index.ts";
import { ISSUE_SENTENCES, issueSentence } from "../../client/src/pages/audiences/issue-text.ts";
import {
  AUDIENCE_ISSUE_CODES,
  AUDIENCE_ISSUE_REASONS,
  validateAudience,
} from "../../engine/audience/validate.ts";

const LOCALES = ["en", "zh-CN"] as const;
const list = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
const event = (extra: Record<string, unknown> = {}) => ({
  event: "purchased",
  count: true,
  op: "gte",
  value: 1,
  ...extra,
});

/** Definitions that raise every code and reason the validator has (engine/audience/validate.ts). */
const BAD: unknown[] = [
  { and: [{ hello: 1 }, { attribute: "a", op: "exists", extra: 1 }] },
  { and: [{ not: { attribute: "a", op: "exists" }, also: 1 }] },
  { or: "x" },
  { attribute: "region", op: "between", value: 1 },
  event({ within: "3 days" }),
  { attribute: "orders", op: "gt" },
  { attribute: "tier", op: "in", value: "gold" },
  { attribute: "tier", op: "eq", value: ["a", "b"] },
  { attribute: "tier", op: "gt", value: true },
  { event: "purchased", lastBetween: {} },
  { event: "purchased", lastBetween: { from: "P90D", to: "P30D" } },
  { rfm: { r: [4, 2] } },
  { or: Array.from({ length: 150 }, () => ({ attribute: "a", op: "exists" })) },
  { and: Array.from({ length: 6 }, () => event()) },
  {
    and: Array.from({ length: 3 }, () =>
      event({ where: Array.from({ length: 8 }, () => ({ field: "sku", op: "exists" })) }),
    ),
  },
  { attribute: "code", op: "in", value: list(600) },
  { or: Array.from({ length: 5 }, () => ({ attribute: "code", op: "in", value: list(500) })) },
  { attribute: "a\u0000b", op: "exists" },
  { and: [] },
  { or: [] },
];

/** Audience issues said per code in both languages (issue #20), as the timeline does. */
describe("audience issues in English and 简体中文", () => {
  it("has a sentence in every catalog for every code and reason the engine raises", () => {
    expect(Object.keys(ISSUE_SENTENCES).sort()).toEqual(Object.keys(AUDIENCE_ISSUE_CODES).sort());
    for (const [code, reasons] of Object.entries(AUDIENCE_ISSUE_REASONS)) {
      const table: Record<string, string> = ISSUE_SENTENCES[code as AudienceIssue["code"]];
      expect(Object.keys(table).sort(), code).toEqual([...reasons].sort());
      for (const key of Object.values(table))
        for (const lng of LOCALES) expect(i18n.exists(key, { lng }), `${lng} ${key}`).toBe(true);
    }
  });

  it("says each issue the validator returns in both languages, with its specifics", () => {
    const seen = new Set<string>();
    for (const doc of BAD) {
      for (const issue of validateAudience(doc)) {
        const reason = typeof issue.params?.reason === "string" ? issue.params.reason : "";
        seen.add(`${issue.code}/${reason}`);
        expect(AUDIENCE_ISSUE_REASONS[issue.code] as readonly string[], issue.message).toContain(
          reason,
        );
        for (const lng of LOCALES) {
          const said = issueSentence(i18n.getFixedT(lng), lng, issue);
          expect(said, `${lng} ${issue.message}`).not.toBe(issue.message);
          expect(said).not.toMatch(/\{\{|audiences\.issue/);
          if (lng === "zh-CN") expect(said, issue.message).toMatch(/[\u4e00-\u9fff]/);
        }
      }
    }
    const all = Object.entries(AUDIENCE_ISSUE_REASONS).flatMap(([c, rs]) =>
      rs.map((r) => `${c}/${r}`),
    );
    expect([...seen].sort()).toEqual(all.sort());
  });

  it("names the operator, the durations and the counts in the reader's language", () => {
    const say = (doc: unknown, lng: (typeof LOCALES)[number]) =>
      validateAudience(doc).map((i) => issueSentence(i18n.getFixedT(lng), lng, i));
    const window = { event: "purchased", lastBetween: { from: "P90D", to: "P30D" } };
    expect(say(window, "en")).toEqual(["90 days must be shorter than 30 days."]);
    expect(say(window, "zh-CN")).toEqual(["90天必须短于30天。"]);
    expect(say({ attribute: "tier", op: "in", value: "gold" }, "zh-CN")).toEqual([
      "“属于其中之一”需要一组值。",
    ]);
    expect(say({ rfm: { r: [4, 2] } }, "en")).toEqual(["The Recency range 4–2 is reversed."]);
    expect(say({ attribute: "code", op: "in", value: list(600) }, "zh-CN")).toEqual([
      "有 600 个值；一个列表最多 500 个。",
    ]);
  });

  it("shows an issue it has no words for (a newer server's) as the server said it", () => {
    const issue: AudienceIssue = {
      code: "schema",
      severity: "error",
      message: "and.0: something new",
      path: ["and", 0],
      params: { reason: "brand_new" },
    };
    expect(issueSentence(i18n.getFixedT("zh-CN"), "zh-CN", issue)).toBe("and.0: something new");
  });
});
