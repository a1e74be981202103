import { describe, expect, it } from "vitest";
import type { AudienceIssue } from "../../client/src/api.ts";
import {
  ADDABLE,
  ATTRIBUTE_OPS,
  asRoot,
  attributeValue,
  formatCount,
  issuesAt,
  newCondition,
  OP_LABELS,
  parseScalar,
  pathText,
  scalarText,
  scoreRange,
} from "../../client/src/pages/audiences/conditions.ts";
import { classify } from "../../engine/audience/classify.ts";
import { ConditionSchema } from "../../engine/audience/schema.ts";
import { parseAudience } from "../../engine/audience/validate.ts";
import { COMPARISON_OPS } from "../../engine/format/primitives.ts";

/** The audience builder's pure model (client/src/pages/audiences/conditions.ts), no DOM. */

// The model passes codes through untouched, so made-up ones stand in for the real list.
const issue = (path: (string | number)[], code = "bad"): AudienceIssue => ({
  code: code as AudienceIssue["code"],
  severity: "error",
  message: `${code} at ${path.join(".")}`,
  path,
});

describe("newCondition", () => {
  // The builder's menu and the engine's tagging must agree, or "Add condition" would add a
  // condition the editor then renders as some other kind.
  const expected: Record<(typeof ADDABLE)[number]["kind"], string> = {
    rfm: "rfm",
    recency: "last_between",
    event_count: "event_count",
    event_sum: "event_sum",
    never: "never",
    attribute: "attribute",
    consent: "consent",
    not: "not",
    and: "and",
    or: "or",
  };

  it.each(ADDABLE.map((a) => a.kind))(
    "%s starts as a schema-valid condition of that kind",
    (kind) => {
      const c = newCondition(kind);
      expect(ConditionSchema.safeParse(c).success).toBe(true);
      expect(classify(c).kind).toBe(expected[kind]);
    },
  );

  it("offers every kind once, groups last", () => {
    const kinds = ADDABLE.map((a) => a.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds.slice(-2)).toEqual(["and", "or"]);
  });

  it("returns a fresh object each time, so two added rows never share state", () => {
    const a = newCondition("rfm");
    const b = newCondition("rfm");
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it("all of the complete ones validate without errors inside a group", () => {
    const complete = ADDABLE.filter(
      (a) => a.kind !== "attribute" && a.kind !== "and" && a.kind !== "or",
    );
    const parsed = parseAudience({ and: complete.map((a) => newCondition(a.kind)) });
    expect(parsed.ok).toBe(true);
  });
});

describe("asRoot", () => {
  it("keeps a group as it is", () => {
    const and = { and: [newCondition("rfm")] };
    const or = { or: [] };
    expect(asRoot(and)).toBe(and);
    expect(asRoot(or)).toBe(or);
  });

  it("wraps a single condition (an RFM cell's definition) in an 'all of' group", () => {
    const cell = { rfm: { r: [1, 1] as [number, number], f: [5, 5] as [number, number] } };
    expect(asRoot(cell)).toEqual({ and: [cell] });
    const not = { not: newCondition("consent") };
    expect(asRoot(not)).toEqual({ and: [not] });
  });
});

describe("parseScalar and scalarText", () => {
  it.each([
    ["true", true],
    ["false", false],
    ["null", null],
    ["42", 42],
    [" -3.5 ", -3.5],
    ["1e3", 1000],
    ["Guangdong", "Guangdong"],
    ["", ""],
    ["  ", "  "],
    ["12abc", "12abc"],
    ["Infinity", "Infinity"],
    ["NaN", "NaN"],
  ] as const)("%j → %j", (text, value) => {
    expect(parseScalar(text)).toBe(value);
  });

  it("keeps text as typed (spaces included) so editing does not fight the cursor", () => {
    expect(parseScalar("New York ")).toBe("New York ");
  });

  it("reads values back as text, lists comma-separated", () => {
    expect(scalarText(undefined)).toBe("");
    expect(scalarText(null)).toBe("null");
    expect(scalarText(true)).toBe("true");
    expect(scalarText(7)).toBe("7");
    expect(scalarText(["NY", 2, false])).toBe("NY, 2, false");
  });

  it("round-trips every scalar a text box can produce", () => {
    for (const v of [true, false, null, 0, 12.5, "Guangdong"]) {
      expect(parseScalar(scalarText(v))).toBe(v);
    }
  });
});

describe("attributeValue", () => {
  it("is one scalar for single-value operators", () => {
    expect(attributeValue("Guangdong", "eq")).toBe("Guangdong");
    expect(attributeValue("3", "gte")).toBe(3);
    expect(attributeValue("a, b", "contains")).toBe("a, b");
  });

  it("is a list of scalars for 'is one of' and 'is none of'", () => {
    expect(attributeValue("Guangdong, Zhejiang,3,true", "in")).toEqual([
      "Guangdong",
      "Zhejiang",
      3,
      true,
    ]);
    expect(attributeValue("NY", "not_in")).toEqual(["NY"]);
  });

  it("round-trips a list through its text", () => {
    const list = ["NY", 2, false];
    expect(attributeValue(scalarText(list), "in")).toEqual(list);
  });
});

describe("scoreRange", () => {
  it("orders the two ends", () => {
    expect(scoreRange(2, 4)).toEqual([2, 4]);
    expect(scoreRange(4, 2)).toEqual([2, 4]);
    expect(scoreRange(3, 3)).toEqual([3, 3]);
  });

  it("drops the full 1–5 range, which constrains nothing", () => {
    expect(scoreRange(1, 5)).toBeUndefined();
    expect(scoreRange(5, 1)).toBeUndefined();
  });

  it("clamps and rounds to the quintile scores the schema accepts", () => {
    expect(scoreRange(0, 2)).toEqual([1, 2]);
    expect(scoreRange(4, 9)).toEqual([4, 5]);
    expect(scoreRange(2.4, 2.6)).toEqual([2, 3]);
    for (const [a, b] of [
      [0, 0],
      [2, 3],
      [6, 6],
    ] as const) {
      const r = scoreRange(a, b);
      expect(ConditionSchema.safeParse({ rfm: { r } }).success).toBe(true);
    }
  });
});

describe("issuesAt", () => {
  const issues = [
    issue([], "too_complex"),
    issue(["and", 0, "op"], "bad_op"),
    issue(["and", 0], "empty_group"),
    issue(["and", 0, "and", 1, "value"], "bad_value"),
    issue(["and", 1, "not", "attribute"], "bad_attribute"),
    issue(["and", 1], "bad_not"),
    issue(["or", 0], "elsewhere"),
  ];
  const codes = (path: (string | number)[]) => issuesAt(issues, path).map((i) => i.code);

  it("gives the root only its own issues, not its descendants'", () => {
    expect(codes([])).toEqual(["too_complex"]);
  });

  it("gives a row the issues on its own fields", () => {
    expect(codes(["and", 0])).toEqual(["bad_op", "empty_group"]);
    expect(codes(["and", 0, "and", 1])).toEqual(["bad_value"]);
  });

  it("leaves the condition inside a 'not' to that condition's row", () => {
    expect(codes(["and", 1])).toEqual(["bad_not"]);
    expect(codes(["and", 1, "not"])).toEqual(["bad_attribute"]);
  });

  it("does not confuse sibling indexes or group kinds", () => {
    expect(codes(["and", 2])).toEqual([]);
    expect(codes(["or", 0])).toEqual(["elsewhere"]);
  });
});

describe("pathText", () => {
  it("reads a path the way the JSON is written", () => {
    expect(pathText([])).toBe("(root)");
    expect(pathText(["and", 0, "op"])).toBe("and[0].op");
    expect(pathText(["or", 2, "not", "rfm", "r"])).toBe("or[2].not.rfm.r");
    expect(pathText([3])).toBe("[3]");
  });
});

describe("labels and numbers", () => {
  it("names every attribute operator, and offers exactly the engine's operators", () => {
    for (const op of ATTRIBUTE_OPS) expect(OP_LABELS[op]).toBeTruthy();
    expect([...ATTRIBUTE_OPS].sort()).toEqual([...COMPARISON_OPS].sort());
  });

  it("formats counts with thousands separators whatever the browser's locale", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1234567)).toBe("1,234,567");
  });
});
