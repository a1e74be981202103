import { describe, expect, it } from "vitest";
import {
  advance,
  type Effect,
  type JourneyNode,
  parseJourney,
  simulate,
  type TimelineEntry,
  validate,
} from "../../engine/index.ts";
import type { UpdateSpec } from "../../engine/nodes/update.ts";
import { compiled, enter, logs } from "./advance-helpers.ts";
import {
  at,
  contact,
  DAY,
  doc,
  exit,
  journey,
  PROMO_CONSENT,
  policy,
  ports,
  sms,
  trigger,
} from "./helpers.ts";

const T0 = at("2026-03-02T10:00:00Z");
const update = (id: string, spec: UpdateSpec): JourneyNode => ({
  id,
  type: "update",
  update: spec,
});
const bump = (attribute = "winback_attempts", by = 1) =>
  update("u", { kind: "increment", attribute, by });

/** trigger → update → exit. */
const withUpdate = (node: JourneyNode) =>
  journey(
    [trigger(), node, exit()],
    [
      ["start", node.id],
      [node.id, "done"],
    ],
  );

const writes = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.type === "attribute" ? [[e.attribute, e.value]] : []));
const entries = (effects: readonly Effect[], type: TimelineEntry["type"]) =>
  effects.flatMap((e) => (e.type === "log" && e.entry.type === type ? [e.entry] : []));

describe("update node: increment", () => {
  it("counts from a missing attribute as 0, and the timeline says 0 → 1", () => {
    const { r } = enter(withUpdate(bump()), T0, contact({ attributes: {} }));
    expect(writes(r.effects)).toEqual([["winback_attempts", 1]]);
    const [entry] = entries(r.effects, "updated");
    expect(entry).toMatchObject({ attribute: "winback_attempts", from: null, to: 1 });
    expect(entry?.detail).toBe("updated winback_attempts 0 → 1");
    expect(r.status).toBe("completed");
  });

  it("adds to a number, and to a numeric string as imported from a CSV", () => {
    const fromNumber = enter(withUpdate(bump("n", 5)), T0, contact({ attributes: { n: 2 } })).r;
    expect(writes(fromNumber.effects)).toEqual([["n", 7]]);
    expect(entries(fromNumber.effects, "updated")[0]?.detail).toBe("updated n 2 → 7");
    const fromText = enter(withUpdate(bump("n", -1)), T0, contact({ attributes: { n: "3" } })).r;
    expect(writes(fromText.effects)).toEqual([["n", 2]]);
  });

  it("leaves a non-number alone and says why, instead of overwriting it", () => {
    for (const value of ["gold", true, { nested: 1 }, ""]) {
      const { r } = enter(withUpdate(bump("tier")), T0, contact({ attributes: { tier: value } }));
      expect(writes(r.effects), String(value)).toEqual([]);
      const [failed] = entries(r.effects, "update_failed");
      expect(failed).toMatchObject({ attribute: "tier", reason: "not_a_number" });
      // The journey goes on: a bad profile value must not strand the enrollment.
      expect(r.status).toBe("completed");
    }
  });

  it("refuses to leave the exactly countable range", () => {
    const big = Number.MAX_SAFE_INTEGER - 1;
    const { r } = enter(withUpdate(bump("n", 10)), T0, contact({ attributes: { n: big } }));
    expect(writes(r.effects)).toEqual([]);
    expect(entries(r.effects, "update_failed")[0]).toMatchObject({ reason: "out_of_range" });
  });

  it("is a whole value computed from the contact: the same step replayed writes the same value", () => {
    const j = withUpdate(bump());
    const cj = compiled(j);
    const input = {
      now: T0,
      contact: contact({ attributes: { winback_attempts: 4 } }),
      policy: policy(),
      event: { name: "go", at: T0 },
      enrollmentKey: "e1",
    };
    const first = advance(cj, null, input, ports);
    const again = advance(cj, null, input, ports);
    expect(writes(first.effects)).toEqual([["winback_attempts", 5]]);
    expect(again.effects).toEqual(first.effects);
    // The caller's contact is not mutated by the step.
    expect(input.contact.attributes.winback_attempts).toBe(4);
  });
});

describe("update node: the contact lock", () => {
  it("counts as a contact write: enrollments that can still reach it lock their contact", () => {
    // The ticker locks the contacts of enrollments in canStillSend, so two batches stepping one
    // contact serialize; without it two journeys' increments could both start from 4.
    const cj = compiled(withUpdate(bump()));
    expect([...cj.canStillSend].sort()).toEqual(["start", "u"]);
  });
});

describe("update node: set", () => {
  it("renders Liquid from the profile and the trigger event, typed as asked", () => {
    const set = (value: string, as?: "text" | "number" | "boolean") =>
      enter(
        withUpdate(update("u", { kind: "set", attribute: "x", value, ...(as ? { as } : {}) })),
        T0,
        contact({ attributes: { firstName: "Ann" } }),
        policy(),
        { name: "go", at: T0, properties: { tier: "gold", total: "42.5" } },
      ).r;
    expect(writes(set("{{ event.tier }}").effects)).toEqual([["x", "gold"]]);
    expect(writes(set("{{ user.firstName }}!").effects)).toEqual([["x", "Ann!"]]);
    expect(writes(set("{{ event.total }}", "number").effects)).toEqual([["x", 42.5]]);
    expect(writes(set("TRUE", "boolean").effects)).toEqual([["x", true]]);
    const bad = set("{{ event.tier }}", "number");
    expect(writes(bad.effects)).toEqual([]);
    expect(entries(bad.effects, "update_failed")[0]?.detail).toBe(
      'not updated: x — "gold" is not a number',
    );
  });

  it("bounds the rendered value", () => {
    const long = "{% for i in (1..60) %}0123456789{% endfor %}"; // 600 characters…
    const twice = `${long}${long}`; // …1,200 rendered, over the 1,000 limit
    const { r } = enter(
      withUpdate(update("u", { kind: "set", attribute: "x", value: twice })),
      T0,
      contact(),
    );
    expect(writes(r.effects)).toEqual([]);
    expect(entries(r.effects, "update_failed")[0]).toMatchObject({ reason: "too_long" });
  });
});

describe("update node: later steps see the new value", () => {
  // trigger → +1 → branch (winback_attempts >= 2?) → yes: SMS with the count / no: exit.
  const j = journey(
    [
      trigger(),
      bump(),
      {
        id: "b",
        type: "branch",
        branch: {
          kind: "condition",
          conditions: [{ field: "winback_attempts", op: "gte", value: 2 }],
        },
      },
      sms("s", "Attempt {{ user.winback_attempts }}"),
      exit(),
      exit("no_exit"),
    ],
    [
      ["start", "u"],
      ["u", "b"],
      ["b", "s", "yes"],
      ["b", "no_exit", "no"],
      ["s", "done"],
    ],
  );

  it("advance: the branch and the template read the updated attribute", () => {
    const yes = enter(j, T0, contact({ attributes: { winback_attempts: 1 } })).r;
    expect(logs(yes).find((e) => e.type === "branched")).toMatchObject({ path: "yes" });
    expect(yes.effects.find((e) => e.type === "send")).toMatchObject({
      body: expect.stringContaining("Attempt 2"),
    });
    const no = enter(j, T0, contact({ attributes: {} })).r;
    expect(logs(no).find((e) => e.type === "branched")).toMatchObject({ path: "no" });
  });

  it("the simulator shows the update and carries it to the next entry", () => {
    const again: typeof j = { ...j, settings: { reentry: { mode: "always" } } };
    const r = simulate(
      again,
      { id: "c", timezone: "UTC", consent: PROMO_CONSENT },
      [
        { at: T0, name: "go" },
        { at: T0 + DAY, name: "go" },
      ],
      { from: T0, until: T0 + 2 * DAY },
    );
    const updated = r.timeline.filter((e) => e.type === "updated").map((e) => e.detail);
    expect(updated).toEqual(["updated winback_attempts 0 → 1", "updated winback_attempts 1 → 2"]);
    const paths = r.timeline.flatMap((e) => (e.type === "branched" ? [e.path] : []));
    expect(paths).toEqual(["no", "yes"]);
  });
});

describe("update node: validation returns issues, never throws", () => {
  const check = (spec: unknown) => {
    const d = doc(
      [
        { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } },
        { id: "u", type: "update", update: spec },
        { id: "done", type: "exit" },
      ],
      [
        ["start", "u"],
        ["u", "done"],
      ],
    );
    return validate(d).filter((i) => i.nodeId === "u" || i.code === "schema");
  };

  it.each(["__proto__", "constructor", "prototype"])("refuses %s as reserved_name", (name) => {
    const issues = check({ kind: "increment", attribute: name, by: 1 });
    expect(issues.map((i) => i.code)).toEqual(["reserved_name"]);
    expect(issues[0]?.path).toEqual(["nodes", 1, "update", "attribute"]);
  });

  it.each(["", "a.b", "1st", "has space", "x".repeat(65)])(
    "refuses %j as bad_attribute_name",
    (name) => {
      const issues = check({ kind: "increment", attribute: name, by: 1 });
      expect(issues.map((i) => i.code)).toEqual(["bad_attribute_name"]);
    },
  );

  it("bounds values: a set over 1,000 characters and a huge increment are schema issues", () => {
    expect(check({ kind: "set", attribute: "x", value: "a".repeat(1001) })[0]?.code).toBe("schema");
    expect(check({ kind: "increment", attribute: "x", by: 1e12 })[0]?.code).toBe("schema");
    expect(check({ kind: "increment", attribute: "x", by: 0.5 })[0]?.code).toBe("schema");
    expect(check({ kind: "set", attribute: "x", value: "a".repeat(1000) })).toEqual([]);
  });

  it("checks the value's template like a message's", () => {
    const codes = (value: string) =>
      check({ kind: "set", attribute: "x", value }).map((i) => i.code);
    expect(codes("{{ user.tier ")).toEqual(["template_syntax"]);
    expect(codes("{{ secret.key }}")).toEqual(["unknown_template_variable"]);
    expect(codes("{{ user.__proto__.x }}")).toEqual(["reserved_name"]);
    expect(codes("{{ user.tier | upcase }}")).toEqual([]);
  });

  it("a later template may read the attribute it writes, before any contact has it", () => {
    const d = doc(
      [
        { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } },
        {
          id: "u",
          type: "update",
          update: { kind: "increment", attribute: "winback_attempts", by: 1 },
        },
        sms("s", "Try {{ user.winback_attempts }} {{ user.winback_attempt }}"),
        { id: "done", type: "exit" },
      ],
      [
        ["start", "u"],
        ["u", "s"],
        ["s", "done"],
      ],
    );
    const unknown = validate(d, { templateNames: { user: ["firstName"] } })
      .filter((i) => i.code === "template_unknown_attribute")
      .map((i) => i.message);
    // The written name is known; a misspelling of it is still caught, with the right guess.
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/^user\.winback_attempt: .*did you mean user\.winback_attempts\?/);
  });

  it("a document with a hostile name parses (issues are data) and its step writes nothing", () => {
    const parsed = parseJourney(
      withUpdate(update("u", { kind: "set", attribute: "__proto__", value: "x" })),
    );
    expect(parsed.ok).toBe(true);
    const { r } = enter(
      withUpdate(update("u", { kind: "set", attribute: "__proto__", value: "x" })),
      T0,
      contact(),
    );
    expect(writes(r.effects)).toEqual([]);
    expect(entries(r.effects, "update_failed")[0]).toMatchObject({ reason: "bad_name" });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
