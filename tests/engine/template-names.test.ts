import { describe, expect, it } from "vitest";
import { type Issue, validate } from "../../engine/index.ts";
import type { TemplateNames } from "../../engine/nodes/template-names.ts";
import { didYouMean, editDistance } from "../../engine/shared/edit-distance.ts";
import { doc } from "./helpers.ts";
import { send, T, X } from "./validate-nodes.ts";

/** Issue #16 item 4: `{{ user.fristName }}` passed validation and sent "Hi , sale today". */
const journey = (template: string) =>
  doc(
    [T, send("sms1", template), X],
    [
      ["start", "sms1"],
      ["sms1", "done"],
    ],
  );
const NAMES: TemplateNames = {
  user: ["firstName", "lastName", "city", "coupon", "topItem"],
  events: { go: ["sku", "item", "amount"] },
};
const warnings = (template: string, names = NAMES): Issue[] =>
  validate(journey(template), { templateNames: names }).filter((i) =>
    i.code.startsWith("template_unknown_"),
  );

describe("unknown template names are warnings on the send node", () => {
  it("a near miss of a user attribute says what was meant", () => {
    const [w, ...rest] = warnings("Hi {{ user.fristName }}, sale today");
    expect(rest).toEqual([]);
    expect(w).toMatchObject({
      code: "template_unknown_attribute",
      severity: "warning",
      nodeId: "sms1",
      path: ["nodes", 1, "send", "template"],
    });
    expect(w?.message).toMatch(/^user\.fristName: no contact has this attribute/);
    expect(w?.message).toContain("did you mean user.firstName?");
  });

  it("a name far from every known one gets no guess; case slips get one", () => {
    expect(warnings("{{ user.vipTier }}")[0]?.message).not.toContain("did you mean");
    expect(warnings("{{ user.firstname }}")[0]?.message).toContain("did you mean user.firstName?");
  });

  it("known attributes, built-in fields and `default:` pass", () => {
    expect(
      warnings("Hi {{ user.firstName }} {{ user.id }} {{ user.email }} {{ user.locale }}"),
    ).toEqual([]);
    expect(warnings('Hi {{ user.fristName | default: "there" }}')).toEqual([]);
    expect(warnings('{%- assign n = user.nick | default: "you" -%}Hi {{ n }}')).toEqual([]);
    // A default elsewhere does not excuse a bare read of the same name.
    expect(
      warnings('{{ user.fristName | default: "x" }} {{ user.fristName }}').map((w) => w.code),
    ).toEqual(["template_unknown_attribute"]);
    // Reads inside tags are checked too: `{% if user.vipp %}` is always false.
    expect(warnings("{% if user.vipp %}VIP{% endif %}").map((w) => w.code)).toEqual([
      "template_unknown_attribute",
    ]);
  });

  it("event properties are checked against the trigger event's, when that event was seen", () => {
    const [w] = warnings("Your {{ event.ammount }}");
    expect(w).toMatchObject({ code: "template_unknown_event_property", nodeId: "sms1" });
    expect(w?.message).toContain("did you mean event.amount?");
    expect(warnings("Your {{ event.sku }} {{ event.coupon | default: '' }}")).toEqual([]);
    // The trigger's event never seen: nothing to check against.
    expect(warnings("Your {{ event.skew }}", { events: { other: ["sku"] } })).toEqual([]);
  });

  it("nothing is checked without names (offline validation, an empty workspace)", () => {
    expect(warnings("Hi {{ user.fristName }}", { user: [], events: {} })).toEqual([]);
    expect(validate(journey("Hi {{ user.fristName }}"))).toEqual([]);
  });

  it("edit distance counts a transposition as one edit", () => {
    expect(editDistance("frist", "first")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(didYouMean("cuopon", ["coupon", "city"])).toBe("coupon");
    expect(didYouMean("zzz", ["coupon", "city"])).toBeUndefined();
  });
});
