import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ISSUE_CODES, type IssueCode, validate, validateText } from "../../engine/index.ts";
import { doc, EXAMPLES, exampleText, ROOT } from "./helpers.ts";
import { CASES } from "./validate-cases.ts";
import { evBranch, send, T, wait, X } from "./validate-nodes.ts";

function codes(d: unknown): IssueCode[] {
  return validate(d).map((i) => i.code);
}

describe("validate", () => {
  it.each(EXAMPLES)("example %s has no issues", (name) => {
    expect(validateText(exampleText(name))).toEqual([]);
  });

  it.each(Object.keys(ISSUE_CODES) as IssueCode[])("reports %s", (code) => {
    const c = CASES[code]();
    const issues = c.issues ?? (c.text !== undefined ? validateText(c.text) : validate(c.doc));
    const hit = issues.find(
      (i) => i.code === code && (c.nodeId === undefined || i.nodeId === c.nodeId),
    );
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit?.severity).toBe(ISSUE_CODES[code][0]);
    expect(Array.isArray(hit?.path)).toBe(true);
    if (c.nodeId) expect(hit?.nodeId).toBe(c.nodeId);
  });

  it("a cycle through a wait is fine", () => {
    const d = doc(
      [T, wait("w", "P7D"), send("a"), evBranch("b"), X],
      [
        ["start", "w"],
        ["w", "a"],
        ["a", "b"],
        ["b", "done", "yes"],
        ["b", "w", "no"],
      ],
    );
    expect(codes(d)).toEqual([]);
  });

  it("sms_too_long honours maxSmsParts and counts the opt-out line", () => {
    const d = doc(
      [T, send("a", "x".repeat(300)), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    );
    expect(codes(d)).toEqual([]); // 3 parts: at the default limit
    expect(validate(d, { maxSmsParts: 2 }).map((i) => i.code)).toEqual(["sms_too_long"]);
  });

  it("journey.* is limited to id and name; event.* and user.* are open", () => {
    const ok = doc(
      [T, send("a", "{{ journey.name }} {{ event.sku }} {{ user.a.b }}"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    );
    expect(codes(ok)).toEqual([]);
    const bad = doc(
      [T, send("a", "{{ journey.secret }}"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    );
    expect(codes(bad)).toEqual(["unknown_template_variable"]);
  });

  it("never throws, whatever the input (fast-check)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const issues = validate(v);
        return Array.isArray(issues) && issues.length > 0;
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on mutated valid journeys (fast-check)", () => {
    const base = JSON.parse(exampleText("win-back"));
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, [...p, i]);
      } else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: paths.length - 1 }), fc.jsonValue(), (i, value) => {
        const copy = JSON.parse(JSON.stringify(base));
        const p = paths[i] ?? [];
        let cur = copy;
        for (const k of p.slice(0, -1)) cur = cur[k];
        cur[p[p.length - 1] as string] = value;
        expect(() => validate(copy)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it("every code is documented in docs/ENGINE.md", () => {
    const md = readFileSync(resolve(ROOT, "docs/ENGINE.md"), "utf8");
    for (const code of Object.keys(ISSUE_CODES)) expect(md, code).toContain(`\`${code}\``);
  });
});
