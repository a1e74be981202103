import { describe, expect, it } from "vitest";
import { TEMPLATE_BUDGET } from "../../../engine/template/budget.ts";
import { renderTemplate, type TemplateVars } from "../../../engine/template/render.ts";
import { templateVariables } from "../../../engine/template/variables.ts";

/**
 * The render budgets of engine/template/budget.ts: every way a short template can make the
 * server work hard (nested loops, loops with heavy bodies, huge ranges and sorts, capture
 * doubling, repeated large outputs) stops with `overBudget` in well under a second, and the
 * templates messages actually use render as before.
 */
const vars = (user: Record<string, unknown> = {}): TemplateVars => ({
  user: { firstName: "Lin", ...user },
  event: {},
});

function timed(template: string, v = vars()) {
  const started = performance.now();
  const result = renderTemplate(template, v);
  return { result, ms: performance.now() - started };
}

const split300 = `{% assign s = "${"x".repeat(300)}" | split: "" %}`;

const HOSTILE: Record<string, { template: string; user?: Record<string, unknown> }> = {
  // The attack: 27 million iterations, 11.6 s before the budgets.
  "three nested loops over a 300-character split": {
    template: `${split300}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}`,
  },
  "an empty-bodied loop over a long range": {
    template: "{% for i in (1..250000) %}{% endfor %}",
  },
  "a loop with a heavy body": {
    template: `{% for i in (1..100000) %}{{ user.firstName | upcase | append: "abc" | prepend: i | downcase }}{% endfor %}`,
  },
  "tablerow over a long range": { template: "{% tablerow i in (1..250000) %}{% endtablerow %}" },
  "sorting a near-million range": { template: "{{ (1..999999) | sort | reverse | size }}" },
  "capture doubling a string": {
    template: `{% assign c = "x" %}{% for i in (1..40) %}{% capture c %}{{ c }}{{ c }}{% endcapture %}{% endfor %}{{ c | size }}`,
  },
  "a large attribute printed many times": {
    template: "{{ user.bio }}".repeat(300),
    user: { bio: "y".repeat(100_000) },
  },
  "looping over a contact's huge list": {
    template: "{% for i in user.items %}{{ i }}{% endfor %}",
    user: { items: Array.from({ length: 200_000 }, (_, i) => i) },
  },
  "a source over the parse limit": { template: "x".repeat(TEMPLATE_BUDGET.parseChars + 1) },
};

describe("template budgets", () => {
  it.each(Object.entries(HOSTILE))("%s stops over budget in < 1 s", (_name, c) => {
    const { result, ms } = timed(c.template, vars(c.user));
    expect(result).toMatchObject({ ok: false, overBudget: true });
    expect(ms).toBeLessThan(1000);
  });

  it("a parse-limit failure is a budget failure in variable analysis too", () => {
    const r = templateVariables("x".repeat(TEMPLATE_BUDGET.parseChars + 1));
    expect(r).toMatchObject({ ok: false, overBudget: true });
    expect(templateVariables("{{ user.x | nosuch }}")).toMatchObject({
      ok: false,
      overBudget: false,
    });
  });

  it("the same template is over budget every time (counted, not timed)", () => {
    const t = `${split300}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}`;
    const first = timed(t).result;
    for (let i = 0; i < 5; i++) expect(timed(t).result).toEqual(first);
  });

  it("templates that messages use still render, loops and captures included", () => {
    const purchases = Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${i}`, amount: i }));
    const ok = (template: string, user: Record<string, unknown> = {}) => {
      const r = renderTemplate(template, vars(user));
      if (!r.ok) throw new Error(r.error);
      return r.text;
    };
    expect(ok("Hi {{ user.firstName }}")).toBe("Hi Lin");
    expect(
      ok(
        "{% for p in user.purchases limit: 3 %}{{ forloop.index }}:{{ p.sku }}{% unless forloop.last %}, {% endunless %}{% endfor %}",
        { purchases },
      ),
    ).toBe("1:SKU-0, 2:SKU-1, 3:SKU-2");
    // A whole 200-item history with a filter per item fits comfortably.
    expect(
      ok("{% for p in user.purchases %}{{ p.sku | downcase }} {% endfor %}", { purchases }),
    ).toBe(purchases.map((p) => `${p.sku.toLowerCase()} `).join(""));
    expect(
      ok("{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}{% endfor %}"),
    ).toBe("1345");
    expect(
      ok("{% for i in (1..5) %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
    ).toBe("12");
    expect(ok("{% for i in user.none %}x{% else %}empty{% endfor %}")).toBe("empty");
    expect(ok("{% capture c %}{{ user.firstName }}!{% endcapture %}{{ c }}{{ c }}")).toBe(
      "Lin!Lin!",
    );
    expect(ok("{% tablerow i in (1..2) %}{{ i }}{% endtablerow %}")).toBe(
      '<tr class="row1"><td class="col1">1</td><td class="col2">2</td></tr>',
    );
  });

  it("variable analysis sees through the budgeted tags", () => {
    const r = templateVariables(
      "{% for p in user.purchases %}{{ p.sku }}{{ event.x }}{% endfor %}{% capture c %}{{ user.y }}{% endcapture %}",
    );
    expect(r.ok && [...r.variables].sort()).toEqual(["event.x", "user.purchases", "user.y"]);
  });
});
