import { expect, it, describe as suite } from "vitest";
import { defaultNode } from "../../client/src/editor/defaults.ts";
import { blankJourney, copyId } from "../../client/src/editor/new-journey.ts";
import { uiOf } from "../../client/src/editor/nodes/registry.ts";
import { formatScalar, parseScalar } from "../../client/src/editor/panel/ComparisonsInput.tsx";
import { durationHint } from "../../client/src/editor/panel/labels.ts";
import {
  defaultValue,
  describe,
  type Field,
  objectFields,
  switchVariant,
} from "../../client/src/editor/schema/introspect.ts";
import { humanizeDuration, summarize } from "../../client/src/editor/summary.ts";
import { eventNames } from "../../client/src/editor/vocabulary.ts";
import { matchRoute } from "../../client/src/router/routes.ts";
import { SettingsSchema } from "../../engine/format/journey.ts";
import { JourneySchema, NODE_DEFINITIONS } from "../../engine/index.ts";

const ctx = { eventNames: ["purchased"], sendNodeIds: ["sms1"], defaultEvent: "purchased" };

function specField(type: string): Field {
  const def = NODE_DEFINITIONS.find((d) => d.type === type);
  if (!def) throw new Error(type);
  const node = describe(def.schema);
  if (node.kind !== "object") throw new Error("not an object");
  const spec = node.fields.find((f) => f.key === type);
  if (!spec) throw new Error(`no ${type} field`);
  return spec.field;
}

suite("forms derived from the engine's zod schemas", () => {
  it("recognises durations, times, event names, node references, weekdays and comparisons", () => {
    const wait = specField("wait");
    expect(wait.kind).toBe("variant");
    if (wait.kind !== "variant") return;
    expect(wait.options.map((o) => o.value)).toEqual([
      "duration",
      "time_of_day",
      "until_attribute",
      "best_hour",
    ]);
    const tod = wait.options.find((o) => o.value === "time_of_day");
    expect(tod?.fields.map((f) => [f.key, f.field.kind, f.optional])).toEqual([
      ["time", "text", false],
      ["weekdays", "weekdays", true],
    ]);
    const branch = specField("branch");
    if (branch.kind !== "variant") throw new Error("branch is a variant");
    const engagement = branch.options.find((o) => o.value === "engagement");
    expect(
      engagement?.fields.map((f) => (f.field.kind === "text" ? f.field.format : f.field.kind)),
    ).toEqual(["node-ref", "enum", "duration"]);
    const event = branch.options.find((o) => o.value === "event");
    expect(
      event?.fields.map((f) => (f.field.kind === "text" ? f.field.format : f.field.kind)),
    ).toEqual(["event", "comparisons", "duration"]);
  });

  it("gives the message template a text area and enums their values", () => {
    const send = specField("send");
    if (send.kind !== "object") throw new Error("send is an object");
    const byKey = Object.fromEntries(send.fields.map((f) => [f.key, f.field]));
    expect(byKey.template).toMatchObject({ kind: "text", multiline: true });
    expect(byKey.channel).toEqual({ kind: "enum", values: ["sms", "email", "push", "webhook"] });
    expect(byKey.category).toMatchObject({ kind: "enum" });
  });

  it("describes every field of every node type and the settings (nothing unsupported)", () => {
    const unsupported: string[] = [];
    const walk = (f: Field, path: string) => {
      switch (f.kind) {
        case "object":
          for (const x of f.fields) walk(x.field, `${path}.${x.key}`);
          break;
        case "variant":
          for (const o of f.options)
            for (const x of o.fields) walk(x.field, `${path}.${o.value}.${x.key}`);
          break;
        case "list":
          walk(f.item, `${path}[]`);
          break;
        case "unsupported":
          unsupported.push(path);
          break;
        default:
          break;
      }
    };
    for (const d of NODE_DEFINITIONS) {
      const node = describe(d.schema);
      if (node.kind !== "object") throw new Error(d.type);
      for (const f of node.fields)
        if (!["id", "type", "position"].includes(f.key)) walk(f.field, `${d.type}.${f.key}`);
    }
    walk(describe(SettingsSchema), "settings");
    // A field the schema form cannot draw must have its node's own input (a webhook's headers
    // and JSON body, panel/WebhookFields.tsx), asked here on a webhook send.
    const hook = {
      id: "w",
      type: "send" as const,
      send: { channel: "webhook" as const, category: "service" as const, template: "x" },
    };
    const drawn = (path: string) => {
      const [type, ...rest] = path.split(".");
      if (type !== "send") return false;
      // A variant's fields are asked as the send's (panel/VariantTabs.tsx moves the path).
      const field = rest.join(".").replace("send.variants[].", "send.");
      const input = uiOf(hook).field?.(hook, field, undefined, () => {});
      return input !== undefined && input !== null;
    };
    expect(unsupported.filter((p) => !drawn(p))).toEqual([]);
    expect(unsupported).toEqual([
      "send.send.webhook.headers",
      "send.send.webhook.body",
      "send.send.variants[].webhook.headers",
      "send.send.variants[].webhook.body",
    ]);
  });

  it("switching a variant keeps shared members and fills required ones", () => {
    const branch = specField("branch");
    if (branch.kind !== "variant") throw new Error("variant");
    const fromEvent = { kind: "event", event: "purchased", within: "P3D" };
    expect(switchVariant(branch, fromEvent, "engagement", ctx)).toEqual({
      kind: "engagement",
      node: "sms1",
      signal: "delivered",
      within: "P3D",
    });
    expect(switchVariant(branch, fromEvent, "condition", ctx)).toEqual({
      kind: "condition",
      conditions: [],
    });
  });

  it("defaults for every settings group pass the schema once switched on", () => {
    for (const f of objectFields(SettingsSchema)) {
      const value = defaultValue(f.field, ctx, f.key);
      const doc = { ...blankJourney("j", "J"), settings: { [f.key]: value } };
      expect(JourneySchema.safeParse(doc).success, f.key).toBe(true);
    }
  });

  it("reads comparison values as numbers and booleans unless quoted", () => {
    expect(parseScalar("3")).toBe(3);
    expect(parseScalar("true")).toBe(true);
    expect(parseScalar('"42"')).toBe("42");
    expect(parseScalar("Guangdong")).toBe("Guangdong");
    expect(formatScalar("42")).toBe('"42"');
    expect(formatScalar(42)).toBe("42");
  });

  it("reads durations back in words", () => {
    expect(durationHint("PT1H")).toEqual({ ok: true, text: "PT1H = 1 hour" });
    expect(durationHint("soon").ok).toBe(false);
    expect(humanizeDuration("P1DT12H")).toBe("1 day 12 hours");
    expect(humanizeDuration("P2D", true)).toBe("2 d");
  });
});

suite("node summaries", () => {
  it("say what each node does in one line", () => {
    const doc = blankJourney("j", "J");
    const at = { x: 0, y: 0 };
    expect(summarize(defaultNode("wait", "w", at, doc))).toBe("wait 1 h");
    expect(summarize(defaultNode("send", "s", at, doc))).toBe("SMS · promotional");
    // A new cooldown holds other journeys only, and says so (issue 16).
    expect(summarize(defaultNode("cooldown", "c", at, doc))).toBe(
      "Holds other journeys' promotional sends for 7 days",
    );
    expect(
      summarize({ id: "c", type: "cooldown", cooldown: { duration: "P7D", scope: "promotional" } }),
    ).toBe("Holds every journey's promotional sends for 7 days, this one's included");
    expect(
      summarize({
        id: "c",
        type: "cooldown",
        cooldown: { duration: "PT12H", scope: "all", applies: "other_journeys" },
      }),
    ).toBe("Holds other journeys' sends for 12 hours");
    expect(summarize(defaultNode("split", "x", at, doc))).toBe("A 50% · B 50%");
    expect(summarize(defaultNode("trigger", "t", at, doc))).toBe("entered by API call");
    expect(
      summarize({
        id: "b",
        type: "branch",
        branch: { kind: "engagement", node: "sms1", signal: "opened", within: "P2D" },
      }),
    ).toBe("sms1 opened within 2 d?");
  });
});

suite("vocabulary, routes and ids", () => {
  it("suggests the journey's event names plus the engine's message events", () => {
    const doc = {
      ...blankJourney("j", "J"),
      settings: { exitOn: [{ event: "purchased" }] },
    };
    const names = eventNames(doc);
    expect(names).toContain("purchased");
    expect(names).toContain("message.clicked");
  });

  it("routes the list and the editor", () => {
    expect(matchRoute("/")).toEqual({ page: "journeys" });
    expect(matchRoute("/journeys/cart%2Dreminder")).toEqual({
      page: "editor",
      journeyId: "cart-reminder",
    });
    expect(matchRoute("/journeys/%E0%A4%A")).toEqual({
      page: "not-found",
      path: "/journeys/%E0%A4%A",
    });
    expect(matchRoute("/nope")).toEqual({ page: "not-found", path: "/nope" });
  });

  it("finds a free id for a duplicate", () => {
    expect(copyId("cart", new Set())).toBe("cart-copy");
    expect(copyId("cart", new Set(["cart-copy", "cart-copy-2"]))).toBe("cart-copy-3");
  });
});
