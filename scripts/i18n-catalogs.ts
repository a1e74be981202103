import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";

/**
 * The console's catalog check (issue #20): every key the code uses exists in every catalog,
 * and no catalog holds a key the code does not use. Keys are found statically, as a reviewer
 * reads them: `t("…")` (also `i18n.t("…")`), `msgKey("…")` for keys picked at run time from a
 * table, and `<Trans i18nKey="…">`. A `t()` of a template string is refused: nobody can say
 * which keys it needs, so the catalogs could not be checked against it.
 *
 * Plural keys follow i18next: `t("x", { count })` reads `x_one`, `x_other`… (Intl.PluralRules
 * forms), so a used `x` is satisfied by any `x_<form>`, and those keys count as used by it.
 */

const PLURAL = /_(zero|one|two|few|many|other)$/;
const KEY_CALL = /(?:\bt|\bmsgKey)\(\s*(["'])((?:(?!\1)[^\\\n])+)\1/g;
const TRANS_KEY = /\bi18nKey=(?:\{\s*)?(["'])((?:(?!\1)[^\\\n])+)\1/g;
const DYNAMIC_CALL = /\bt\(\s*`/g;

export interface SourceFile {
  path: string;
  text: string;
}

export interface CatalogReport {
  /** A key the code uses that a catalog lacks: the locale, the key, the files using it. */
  missing: { locale: string; key: string; files: string[] }[];
  /** A catalog key no code uses. */
  unused: { locale: string; key: string }[];
  /** Uses the check cannot read (`t(\`…\`)`), and plural keys without their `_other` form. */
  problems: string[];
}

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** The keys one source file uses, and the uses the check cannot read. */
export function keysIn(file: SourceFile): { keys: string[]; problems: string[] } {
  const keys: string[] = [];
  for (const re of [KEY_CALL, TRANS_KEY]) {
    for (const m of file.text.matchAll(re)) if (m[2]) keys.push(m[2]);
  }
  const problems = [...file.text.matchAll(DYNAMIC_CALL)].map(
    (m) =>
      `${file.path}:${lineOf(file.text, m.index)}: t() of a template string; pick the key from a table of msgKey("…") literals`,
  );
  return { keys, problems };
}

/** A nested catalog as its dotted keys: {"nav": {"journeys": "…"}} → ["nav.journeys"]. */
export function flatten(catalog: unknown, prefix = ""): string[] {
  if (typeof catalog !== "object" || catalog === null || Array.isArray(catalog)) return [prefix];
  return Object.entries(catalog).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

export function checkCatalogs(
  files: readonly SourceFile[],
  catalogs: Readonly<Record<string, unknown>>,
): CatalogReport {
  const used = new Map<string, Set<string>>();
  const problems: string[] = [];
  for (const file of files) {
    const found = keysIn(file);
    problems.push(...found.problems);
    for (const key of found.keys) used.set(key, (used.get(key) ?? new Set()).add(file.path));
  }
  const missing: CatalogReport["missing"] = [];
  const unused: CatalogReport["unused"] = [];
  for (const [locale, catalog] of Object.entries(catalogs)) {
    const keys = new Set(flatten(catalog));
    const plurals = new Set(
      [...keys].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, "")),
    );
    for (const [key, where] of used) {
      if (!keys.has(key) && !plurals.has(key))
        missing.push({ locale, key, files: [...where].sort() });
    }
    for (const key of keys) {
      if (!used.has(key) && !used.has(key.replace(PLURAL, ""))) unused.push({ locale, key });
    }
    for (const base of plurals) {
      if (!keys.has(`${base}_other`))
        problems.push(`${locale}: ${base} has plural forms but no ${base}_other`);
    }
  }
  return { missing, unused, problems };
}

function sourcesUnder(dir: string, root: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path, root);
    if (!/\.tsx?$/.test(entry.name)) return [];
    return [{ path: relative(root, path), text: readFileSync(path, "utf8") }];
  });
}

/** Reads a project's sources (every .ts/.tsx under `sourceDir`) and catalogs (`<locale>.json`). */
export function checkProject(
  sourceDir: string,
  catalogDir: string,
  root = sourceDir,
): CatalogReport {
  const catalogs: Record<string, unknown> = {};
  for (const name of readdirSync(catalogDir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    catalogs[basename(name, ".json")] = JSON.parse(readFileSync(join(catalogDir, name), "utf8"));
  }
  return checkCatalogs(sourcesUnder(sourceDir, root), catalogs);
}

/** The report as lines a person fixes from; empty when the catalogs and the code agree. */
export function describeReport(report: CatalogReport): string[] {
  return [
    ...report.missing.map(
      (m) => `missing in ${m.locale}.json: ${m.key} (used in ${m.files.join(", ")})`,
    ),
    ...report.unused.map((u) => `unused in ${u.locale}.json: ${u.key}`),
    ...report.problems,
  ];
}
