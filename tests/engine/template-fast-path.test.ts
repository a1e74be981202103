import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { liquid, parseCached } from "../../engine/template/engine.ts";
import { fastPlan, runPlan } from "../../engine/template/fast-path.ts";
import { renderTemplate } from "../../engine/template/render.ts";

const KEYS = ["firstName", "coupon", "amount", "city", "tags", "profile", "flag", "empty", "size"];

const value = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(...KEYS), fc.string(), { maxKeys: 2, noNullPrototype: true }),
);

const vars = fc.record({
  user: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6, noNullPrototype: true }),
  event: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 3, noNullPrototype: true }),
});

/** Literal text that cannot open a tag or an output. */
const literal = fc.string().map((s) => s.replaceAll("{", "(").replaceAll("}", ")"));

const output = fc
  .tuple(
    fc.constantFrom("user", "event", "journey"),
    fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 2 }),
    fc.constantFrom("{{ ", "{{- ", "{{"),
    fc.constantFrom(" }}", " -}}", "}}"),
  )
  .map(([root, path, open, close]) => `${open}${[root, ...path].join(".")}${close}`);

const template = fc.array(fc.oneof(literal, output), { maxLength: 6 }).map((p) => p.join(""));

describe("template fast path", () => {
  it("renders exactly what Liquid renders, for any plain template and any values", () => {
    fc.assert(
      fc.property(template, vars, (source, v) => {
        const expected = String(liquid.renderSync(liquid.parse(source), v));
        expect(renderTemplate(source, v)).toEqual({ ok: true, text: expected });
      }),
      { numRuns: 2_000 },
    );
  });

  it("is taken for text with plain variables, and not for filters, tags or bare roots", () => {
    const plan = (source: string) => {
      const parsed = parseCached(source);
      if (!parsed.ok) throw new Error(parsed.error);
      return fastPlan(parsed.template);
    };
    const simple = plan("Hi {{ user.firstName }}, code {{ user.coupon }}");
    expect(simple).toEqual(["Hi ", ["user", "firstName"], ", code ", ["user", "coupon"]]);
    if (!simple) throw new Error("no plan");
    expect(runPlan(simple, { user: { firstName: "Li", coupon: 42 } })).toBe("Hi Li, code 42");
    // Values Liquid formats itself send the render back to Liquid.
    expect(runPlan(simple, { user: { firstName: ["a"], coupon: 1 } })).toBeUndefined();
    expect(plan("{{ user.firstName | upcase }}")).toBeNull();
    expect(plan("{% if user.vip %}VIP{% endif %}")).toBeNull();
    expect(plan("{{ user }}")).toBeNull();
    expect(plan("{{ user.tags.size }}")).toBeNull();
    expect(plan('{{ user["first name"] }}')).toBeNull();
  });
});
