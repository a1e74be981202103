import { describe, expect, it } from "vitest";
import { ISSUE_TEXT, issueSentence, issueText } from "../../client/src/editor/issue-text.ts";
import en from "../../client/src/i18n/catalogs/en.json";
import zhCN from "../../client/src/i18n/catalogs/zh-CN.json";
import { i18n } from "../../client/src/i18n/index.ts";
import {
  ISSUE_CODES,
  type Issue,
  type IssueCode,
  validate,
  validateText,
} from "../../engine/index.ts";
import { ISSUE_PARAMS } from "../../engine/validate/issue.ts";
import { CASES } from "../engine/validate-cases.ts";

/**
 * Validation issues in the console's languages (issue #20): one sentence per engine code in
 * each catalog, each sentence reading exactly the params the engine sets for that code (no
 * `{{name}}` left unfilled, no specific the English message has and the sentence drops), and
 * every issue the engine's own per-code cases produce said in both languages.
 */
const CODES = Object.keys(ISSUE_CODES) as IssueCode[];
const CATALOGS = { en: en.issues, "zh-CN": zhCN.issues } as Record<string, Record<string, string>>;

const placeholders = (sentence: string) =>
  [...sentence.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();

/** Every issue of every code's case (the engine test's fixtures), not only the one it pins. */
function caseIssues(): Issue[] {
  return CODES.flatMap((code) => {
    const c = CASES[code]();
    return c.issues ?? (c.text !== undefined ? validateText(c.text) : validate(c.doc));
  });
}

describe("validation issues in the console's languages", () => {
  it.each(Object.keys(CATALOGS))(
    "%s has a sentence for every code, with exactly its params",
    (locale) => {
      const sentences = CATALOGS[locale] ?? {};
      for (const code of CODES) {
        const sentence = sentences[code];
        expect(typeof sentence, `${locale} issues.${code}`).toBe("string");
        expect(placeholders(sentence ?? ""), `${locale} issues.${code}`).toEqual(
          [...ISSUE_PARAMS[code]].sort(),
        );
        expect(ISSUE_TEXT[code]).toBe(`issues.${code}`);
      }
      expect(placeholders(sentences.didYouMean ?? "")).toEqual(["suggestion"]);
    },
  );

  it("the engine sets exactly the declared params on every issue its cases produce", () => {
    const issues = caseIssues();
    // The cases cover every code, so a code whose params go missing somewhere fails here.
    expect(new Set(issues.map((i) => i.code))).toEqual(new Set(CODES));
    for (const i of issues) {
      const keys = Object.keys(i.params ?? {}).filter((k) => k !== "suggestion");
      expect(keys.sort(), `${i.code}: ${i.message}`).toEqual([...ISSUE_PARAMS[i.code]].sort());
      for (const v of Object.values(i.params ?? {}))
        expect(["string", "number"]).toContain(typeof v);
    }
    // "did you mean" travels as data too.
    const typo = issues.find((i) => i.code === "template_unknown_attribute");
    expect(typo?.params).toEqual({ name: "user.fristName", suggestion: "user.firstName" });
  });

  it("says every case's issue in both languages, with its specifics and nothing unfilled", async () => {
    const issues = caseIssues();
    try {
      for (const locale of ["en", "zh-CN"]) {
        await i18n.changeLanguage(locale);
        for (const i of issues) {
          const text = issueSentence(i18n.t, i);
          // The English console shows the engine's own message; others, the sentence.
          expect(issueText(i18n.t, i)).toBe(locale === "en" ? i.message : text);
          expect(text, `${locale} ${i.code}`).not.toMatch(/\{\{|issues\./);
          for (const v of Object.values(i.params ?? {})) expect(text).toContain(String(v));
          if (locale === "zh-CN") expect(text, i.code).toMatch(/[\u4e00-\u9fff]/);
        }
      }
      const sum = issues.find((i) => i.code === "split_percent_sum");
      expect(sum && issueSentence(i18n.t, sum)).toMatch(/^拆分的百分比合计为 \d+，而不是 100。$/);
    } finally {
      await i18n.changeLanguage("en");
    }
  });
});
