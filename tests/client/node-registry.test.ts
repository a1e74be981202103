import { describe, expect, it } from "vitest";
import { defaultNode, nextNodeId } from "../../client/src/editor/defaults.ts";
import { blankJourney } from "../../client/src/editor/new-journey.ts";
import { nodeTypes } from "../../client/src/editor/nodes/nodeTypes.tsx";
import { NODE_UI } from "../../client/src/editor/nodes/registry.ts";
import { summarize } from "../../client/src/editor/summary.ts";
import { NODE_TYPES, NodeSchema } from "../../engine/index.ts";

/**
 * The console's node registry has one entry per engine node type. `satisfies NodeUis` in
 * registry.ts already refuses to compile with one missing; this checks the same at run time
 * against the engine's own list, and that each entry is usable: its default parses, its summary
 * says something, its card and icon exist.
 */
describe("client node registry", () => {
  const doc = blankJourney("j", "J");

  it("has exactly the engine's node types", () => {
    expect(Object.keys(NODE_UI).sort()).toEqual([...NODE_TYPES].sort());
    expect(Object.keys(nodeTypes).sort()).toEqual([...NODE_TYPES].sort());
  });

  it.each(NODE_TYPES)(
    "%s: a default that passes the schema, a summary, a card and an icon",
    (type) => {
      const ui = NODE_UI[type];
      const id = nextNodeId(type, new Set());
      expect(id).toBe(`${ui.idPrefix}1`);
      const node = defaultNode(type, id, { x: 10, y: 20 }, doc);
      expect(node.type).toBe(type);
      expect(NodeSchema.safeParse(node).success).toBe(true);
      expect(summarize(node).length).toBeGreaterThan(0);
      expect(ui.label).not.toBe("");
      expect(ui.color).toMatch(/^#[0-9a-f]{6}$/);
      expect(ui.icon.path).toMatch(/^M/);
      expect(nodeTypes[type]).toBe(ui.component);
    },
  );

  it("labels and colours are distinct per type (the palette and minimap tell them apart)", () => {
    const uis = NODE_TYPES.map((t) => NODE_UI[t]);
    expect(new Set(uis.map((u) => u.label)).size).toBe(uis.length);
    expect(new Set(uis.map((u) => u.color)).size).toBe(uis.length);
    expect(new Set(uis.map((u) => u.idPrefix)).size).toBe(uis.length);
  });
});
