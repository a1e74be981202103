import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkCatalogs,
  checkProject,
  describeReport,
  keysIn,
} from "../../scripts/i18n-catalogs.ts";

/**
 * The catalog check that fails the build (issue #20): the console's own catalogs pass it, and
 * it fails on a fixture that misses a key, holds an unused one, or uses a key it cannot read.
 */
const ROOT = join(import.meta.dirname, "../..");
const FIXTURE = join(import.meta.dirname, "fixtures/i18n-broken");

describe("the console's catalog check", () => {
  it("passes on the console: every used key in every catalog, no catalog key unused", () => {
    const report = checkProject(
      join(ROOT, "client/src"),
      join(ROOT, "client/src/i18n/catalogs"),
      ROOT,
    );
    expect(describeReport(report)).toEqual([]);
  });

  it("finds keys in t(), i18n.t(), msgKey() and <Trans i18nKey>, and refuses template keys", () => {
    const found = keysIn({
      path: "x.tsx",
      text: [
        `t("a.one"); i18n.t('a.two', { n: 1 }); msgKey("a.three");`,
        `<Trans i18nKey="a.four" /> <Trans i18nKey={"a.five"} />`,
        'split(\'x\'); format("no"); at("no");',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text the check reads
        "t(`a.${dynamic}`);",
      ].join("\n"),
    });
    expect(found.keys.sort()).toEqual(["a.five", "a.four", "a.one", "a.three", "a.two"]);
    expect(found.problems).toEqual([expect.stringMatching(/^x\.tsx:4: t\(\) of a template/)]);
  });

  it("reports a missing key, an unused key and plural forms, per catalog", () => {
    const report = checkCatalogs([{ path: "p.tsx", text: `t("p.a"); t("p.n", { count })` }], {
      en: { p: { a: "A", n_one: "{{count}} user", n_other: "{{count}} users" } },
      "zh-CN": { p: { n_one: "{{count}}", old: "旧" } },
    });
    expect(report.missing).toEqual([{ locale: "zh-CN", key: "p.a", files: ["p.tsx"] }]);
    expect(report.unused).toEqual([{ locale: "zh-CN", key: "p.old" }]);
    expect(report.problems).toEqual(["zh-CN: p.n has plural forms but no p.n_other"]);
  });

  it("fails the npm script (exit 1) on a fixture with a missing and an unused key", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "scripts/check-i18n.ts"),
        "--src",
        join(FIXTURE, "src"),
        "--catalogs",
        join(FIXTURE, "catalogs"),
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("missing in zh-CN.json: page.subtitle");
    expect(run.stderr).toContain("unused in zh-CN.json: page.retired");
    expect(run.stderr).not.toContain("page.users");
    expect(run.stderr).not.toContain("en.json");
  });
});
