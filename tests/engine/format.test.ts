import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  exportJourney,
  JSON_SCHEMA_PATH,
  jsonSchemaText,
  NODE_DEFINITIONS,
  NODE_TYPES,
  parseJourney,
} from "../../engine/index.ts";
import { EXAMPLES, exampleText, ROOT } from "./helpers.ts";

describe("journey format v1", () => {
  it("parses the issue's cart-reminder example", () => {
    const r = parseJourney(JSON.parse(exampleText("cart-reminder")));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.journey.nodes.map((n) => n.type)).toEqual([
      "trigger",
      "wait",
      "send",
      "branch",
      "cooldown",
      "exit",
    ]);
    expect(r.journey.nodes[0]).toMatchObject({ position: { x: 0, y: 0 } });
  });

  it("registers every node type once, each under its schema's own type", () => {
    // No hard-coded list: adding a node type is its file plus a registry line, not this test.
    expect(new Set(NODE_TYPES).size).toBe(NODE_TYPES.length);
    for (const def of NODE_DEFINITIONS) {
      expect(
        def.schema.safeParse({ id: "n", type: def.type }).error?.issues ?? [],
      ).not.toContainEqual(expect.objectContaining({ path: ["type"] }));
    }
    // The palette's order: entry first, the end last.
    expect(NODE_TYPES[0]).toBe("trigger");
    expect(NODE_TYPES.at(-1)).toBe("exit");
  });

  it.each(EXAMPLES)(
    "%s is stored in canonical form (export → import → export is byte-identical)",
    (name) => {
      const text = exampleText(name);
      const first = parseJourney(JSON.parse(text));
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      const exported = exportJourney(first.journey);
      expect(exported).toBe(text);
      const again = parseJourney(JSON.parse(exported));
      expect(again.ok && exportJourney(again.journey)).toBe(exported);
    },
  );

  it("exports keys in canonical order, not insertion order", () => {
    const scrambled = {
      edges: [{ to: "done", from: "start" }],
      nodes: [
        { trigger: { event: "go", kind: "event" }, type: "trigger", id: "start" },
        { type: "exit", id: "done" },
      ],
      name: "x",
      id: "x",
      format: "waymark/journey@1",
    };
    const r = parseJourney(scrambled);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const text = exportJourney(r.journey);
    expect(text.endsWith("}\n")).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(["format", "id", "name", "nodes", "edges"]);
    expect(text.indexOf('"id": "start"')).toBeLessThan(text.indexOf('"type": "trigger"'));
    expect(text.indexOf('"kind": "event"')).toBeLessThan(text.indexOf('"event": "go"'));
    expect(text).toContain('{\n      "from": "start",\n      "to": "done"\n    }');
  });

  it("rejects unknown keys and reports zod errors as issues with paths", () => {
    const r = parseJourney({
      format: "waymark/journey@1",
      id: "x",
      name: "x",
      nodes: [
        { id: "s", type: "send", send: { channel: "sms", category: "promotional", tempalte: "x" } },
      ],
      edges: [],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.every((i) => i.code === "schema" && i.severity === "error")).toBe(true);
    expect(r.issues.some((i) => i.path.join(".") === "nodes.0.send" && i.nodeId === "s")).toBe(
      true,
    );
  });

  it("reports bad durations and times with their own codes", () => {
    const r = parseJourney({
      format: "waymark/journey@1",
      id: "x",
      name: "x",
      nodes: [
        { id: "w", type: "wait", wait: { kind: "duration", duration: "3 days" } },
        { id: "t", type: "wait", wait: { kind: "time_of_day", time: "25:00" } },
      ],
      edges: [],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.code, i.path.join("."), i.nodeId])).toEqual([
      ["bad_duration", "nodes.0.wait.duration", "w"],
      ["bad_time", "nodes.1.wait.time", "t"],
    ]);
  });

  it("rejects other format versions with unsupported_format", () => {
    const r = parseJourney({
      format: "waymark/journey@2",
      id: "x",
      name: "x",
      nodes: [],
      edges: [],
    });
    expect(r.ok || r.issues.map((i) => i.code)).toEqual(["unsupported_format"]);
  });

  it("checked-in docs/journey.schema.json equals the generated schema", () => {
    const onDisk = readFileSync(resolve(ROOT, JSON_SCHEMA_PATH), "utf8");
    // Regenerate with: node bin/waymark.js schema > docs/journey.schema.json
    expect(onDisk).toBe(jsonSchemaText());
  });

  it("the JSON Schema describes every node type and is strict", () => {
    const schema = JSON.parse(jsonSchemaText());
    const node = schema.properties.nodes.items;
    const types = node.oneOf.map(
      (o: { properties: { type: { const: string } } }) => o.properties.type.const,
    );
    expect(types).toEqual(NODE_TYPES);
    expect(schema.additionalProperties).toBe(false);
  });
});
