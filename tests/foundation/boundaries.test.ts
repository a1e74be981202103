import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The house's walls, checked on every run: `engine/` is pure (the ticker and the simulator can
 * only agree if neither the clock, randomness nor I/O reaches a decision), and the console
 * takes nothing from the server but types (a value import would pull server code, knex and
 * secrets' handling into the browser bundle).
 */
const ROOT = resolve(import.meta.dirname, "../..");

/** Packages the engine may use: pure computation, no I/O. */
const ENGINE_PACKAGES = new Set([
  "diff",
  "libphonenumber-js",
  "liquidjs",
  "luxon",
  "sms-segments-calculator",
  "xstate",
  "zod",
]);

/** What reads the clock, draws randomness or reaches outside the process. */
const IMPURE = [
  /\bDate\.now\(/,
  /\bnew Date\(\s*\)/,
  /\bMath\.random\(/,
  /\bperformance\.now\(/,
  /\bprocess\./,
  /\bsetTimeout\(/,
  /\bsetInterval\(/,
  /\bfetch\(/,
  /\bcrypto\.(randomUUID|getRandomValues)\(/,
];

interface Import {
  specifier: string;
  typeOnly: boolean;
}

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => join(dir, f));
}

/** Static imports and re-exports (multi-line included) and dynamic `import("…")`. */
function importsOf(source: string): Import[] {
  const found: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?["']([^"']+)["']/gms;
  for (const m of source.matchAll(statement)) {
    const clause = m[0];
    // `import { type A, type B } from` is type-only too when every name is marked.
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    const allMarked =
      names
        ?.split(",")
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith("type ")) === true;
    found.push({ specifier: m[3] ?? "", typeOnly: Boolean(m[2]) || allMarked });
  }
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ specifier: m[1] ?? "", typeOnly: false });
  }
  return found;
}

function inside(file: string, specifier: string, dir: string): boolean {
  if (!specifier.startsWith(".")) return false;
  const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
  return target === dir || target.startsWith(`${dir}/`);
}

describe("boundaries", () => {
  it("reads imports the way the checks below need (a check that cannot fail is no check)", () => {
    const sample = `import { z } from "zod";
import type { A } from "../server/a.ts";
import {
  type B,
  type C,
} from "../server/b.ts";
import { type D, e } from "../server/c.ts";
export { f } from "./f.ts";
const g = await import("node:fs");`;
    expect(importsOf(sample)).toEqual([
      { specifier: "zod", typeOnly: false },
      { specifier: "../server/a.ts", typeOnly: true },
      { specifier: "../server/b.ts", typeOnly: true },
      { specifier: "../server/c.ts", typeOnly: false },
      { specifier: "./f.ts", typeOnly: false },
      { specifier: "node:fs", typeOnly: false },
    ]);
  });

  it("engine/ imports only itself and pure packages, and never reads the clock or randomness", () => {
    const problems: string[] = [];
    const engineFiles = files("engine");
    expect(engineFiles.length).toBeGreaterThan(50);
    for (const file of engineFiles) {
      const source = readFileSync(join(ROOT, file), "utf8");
      for (const { specifier } of importsOf(source)) {
        const relativeOk = specifier.startsWith(".") && inside(file, specifier, "engine");
        if (!relativeOk && !ENGINE_PACKAGES.has(specifier)) {
          problems.push(`${file} imports ${specifier}`);
        }
      }
      const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      for (const pattern of IMPURE) {
        if (pattern.test(code)) problems.push(`${file} uses ${pattern.source}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the console takes only types from server/", () => {
    const problems: string[] = [];
    const clientFiles = files("client/src");
    expect(clientFiles.length).toBeGreaterThan(30);
    for (const file of clientFiles) {
      const source = readFileSync(join(ROOT, file), "utf8");
      for (const { specifier, typeOnly } of importsOf(source)) {
        if (inside(file, specifier, "server") && !typeOnly) {
          problems.push(`${file} imports server code: ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("route files parse, call and answer: their SQL lives in <domain>/sql modules", () => {
    const sql = [/\bknex\(/, /\btrx\(/, /\.raw\(/, /\.whereRaw\(/];
    const problems: string[] = [];
    const routeFiles = files("server/routes");
    expect(routeFiles.length).toBeGreaterThan(10);
    for (const file of routeFiles) {
      const code = readFileSync(join(ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      const runs = sql.filter((p) => p.test(code)).map((p) => p.source);
      if (runs.length > 0) problems.push(`${file} runs SQL: ${runs.join(", ")}`);
    }
    expect(problems).toEqual([]);
  });

  it("domain modules speak no HTTP: they refuse with DomainError, mapped to a status in one place", () => {
    const domains = ["server/journeys", "server/audiences", "server/results", "server/contacts"];
    const problems: string[] = [];
    for (const dir of domains) {
      for (const file of files(dir)) {
        const source = readFileSync(join(ROOT, file), "utf8");
        for (const { specifier } of importsOf(source)) {
          if (inside(file, specifier, "server/http")) problems.push(`${file} imports ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
