import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyChange, firstFreePath, outPaths } from "../../client/src/editor/changes.ts";
import { defaultNode, nextNodeId } from "../../client/src/editor/defaults.ts";
import {
  applyDimensions,
  applySelection,
  edgeFromConnection,
  type FlowView,
  issuesByNode,
  toFlowEdges,
  toFlowNodes,
} from "../../client/src/editor/mapping.ts";
import { blankJourney, slugify } from "../../client/src/editor/new-journey.ts";
import { type Journey, JourneySchema, validate } from "../../engine/index.ts";

const ROOT = join(import.meta.dirname, "../..");
const cart = (): Journey =>
  JourneySchema.parse(
    JSON.parse(readFileSync(join(ROOT, "examples/journeys/cart-reminder.json"), "utf8")),
  );

const view = (over: Partial<FlowView> = {}): FlowView => ({
  issues: new Map(),
  selected: new Set(),
  measured: new Map(),
  fallback: new Map(),
  liveCounts: null,
  ...over,
});

describe("journey → React Flow", () => {
  it("maps every node with its type, data and position (doc position, else the fallback layout)", () => {
    const doc = cart();
    const nodes = toFlowNodes(doc, view({ fallback: new Map([["wait1", { x: 300, y: 10 }]]) }));
    expect(nodes.map((n) => [n.id, n.type])).toEqual(doc.nodes.map((n) => [n.id, n.type]));
    expect(nodes[0]?.position).toEqual({ x: 0, y: 0 });
    expect(nodes[1]?.position).toEqual({ x: 300, y: 10 });
    expect(nodes[1]?.data.node).toBe(doc.nodes[1]);
  });

  it("maps branch out-edges to yes/no source handles with labels", () => {
    const edges = toFlowEdges(cart(), new Set());
    const yes = edges.find((e) => e.source === "clicked" && e.sourceHandle === "yes");
    expect(yes).toMatchObject({ target: "done", label: "yes", targetHandle: "in" });
    expect(edges.find((e) => e.source === "start")).toMatchObject({
      sourceHandle: "out",
      target: "wait1",
    });
    expect(new Set(edges.map((e) => e.id)).size).toBe(edges.length);
  });

  it("skips dangling edges rather than handing React Flow an edge to nowhere", () => {
    const doc = { ...cart(), edges: [...cart().edges, { from: "ghost", to: "done" }] };
    expect(toFlowEdges(doc, new Set()).some((e) => e.source === "ghost")).toBe(false);
  });

  it("keeps unchanged nodes' identity so the canvas re-renders only what changed", () => {
    const doc = cart();
    const first = toFlowNodes(doc, view());
    const moved = applyChange(doc, { type: "move", positions: { wait1: { x: 5.4, y: 7.6 } } });
    const second = toFlowNodes(moved, view(), first);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]?.position).toEqual({ x: 5, y: 8 });
  });

  it("paints issues on their node", () => {
    const doc = cart();
    const broken = applyChange(doc, {
      type: "remove",
      nodeIds: [],
      edges: [{ from: "clicked", to: "cool", path: "no" }],
    });
    const issues = issuesByNode(validate(broken));
    const nodes = toFlowNodes(broken, view({ issues }));
    const branch = nodes.find((n) => n.id === "clicked");
    expect(branch?.data.issues.map((i) => i.code)).toContain("branch_missing_path");
  });

  it("turns a dragged connection into an edge with the handle as path", () => {
    expect(
      edgeFromConnection({ source: "b", sourceHandle: "no", target: "x", targetHandle: "in" }),
    ).toEqual({
      from: "b",
      to: "x",
      path: "no",
    });
    expect(
      edgeFromConnection({ source: "a", sourceHandle: "out", target: "x", targetHandle: "in" }),
    ).toEqual({
      from: "a",
      to: "x",
    });
    expect(
      edgeFromConnection({ source: "a", sourceHandle: null, target: "a", targetHandle: null }),
    ).toBeNull();
  });

  it("tracks selection and measured sizes from React Flow changes without churn", () => {
    const sel = applySelection(new Set(["a"]), [
      { type: "select", id: "a", selected: false },
      { type: "select", id: "b", selected: true },
    ]);
    expect([...sel]).toEqual(["b"]);
    const same = new Set(["a"]);
    expect(applySelection(same, [{ type: "select", id: "a", selected: true }])).toBe(same);
    const sizes = applyDimensions(new Map(), [
      { type: "dimensions", id: "a", dimensions: { width: 10, height: 20 } },
    ]);
    expect(sizes.get("a")).toEqual({ width: 10, height: 20 });
    expect(
      applyDimensions(sizes, [
        { type: "dimensions", id: "a", dimensions: { width: 10, height: 20 } },
      ]),
    ).toBe(sizes);
  });
});

describe("changes over the document", () => {
  it("builds the cart reminder from a blank journey and it validates clean", () => {
    let doc = blankJourney("cart", "Cart");
    const add = (type: Parameters<typeof defaultNode>[0]) => {
      const id = nextNodeId(type, new Set(doc.nodes.map((n) => n.id)));
      doc = applyChange(doc, { type: "add", nodes: [defaultNode(type, id, { x: 0, y: 0 }, doc)] });
      return id;
    };
    const wait = add("wait");
    const sms = add("send");
    const branch = add("branch");
    const cool = add("cooldown");
    const exit = add("exit");
    for (const edge of [
      { from: "start", to: wait },
      { from: wait, to: sms },
      { from: sms, to: branch },
      { from: branch, to: exit, path: "yes" },
      { from: cool, to: exit },
    ]) {
      doc = applyChange(doc, { type: "connect", edge });
    }
    expect(
      validate(doc)
        .filter((i) => i.severity === "error")
        .map((i) => [i.code, i.nodeId]),
    ).toEqual([["branch_missing_path", branch]]);
    doc = applyChange(doc, { type: "connect", edge: { from: branch, to: cool, path: "no" } });
    expect(validate(doc).filter((i) => i.severity === "error")).toEqual([]);
    expect(doc.nodes.find((n) => n.id === branch)).toMatchObject({
      branch: { kind: "engagement", node: sms },
    });
  });

  it("connecting an out-path again replaces its edge (one next node per path)", () => {
    const doc = applyChange(cart(), {
      type: "connect",
      edge: { from: "clicked", to: "cool", path: "yes" },
    });
    expect(doc.edges.filter((e) => e.from === "clicked")).toEqual([
      { from: "clicked", to: "cool", path: "no" },
      { from: "clicked", to: "cool", path: "yes" },
    ]);
  });

  it("removing a node removes its edges; documents are never mutated", () => {
    const doc = cart();
    const snapshot = JSON.stringify(doc);
    const next = applyChange(doc, { type: "remove", nodeIds: ["cool"], edges: [] });
    expect(next.nodes.some((n) => n.id === "cool")).toBe(false);
    expect(next.edges.some((e) => e.from === "cool" || e.to === "cool")).toBe(false);
    expect(JSON.stringify(doc)).toBe(snapshot);
  });

  it("renaming a split arm carries its edge; removing an arm drops it", () => {
    let doc = blankJourney("s", "S");
    doc = applyChange(doc, {
      type: "add",
      nodes: [
        defaultNode("split", "split1", { x: 0, y: 0 }, doc),
        defaultNode("exit", "exit1", { x: 0, y: 0 }, doc),
      ],
    });
    doc = applyChange(doc, { type: "connect", edge: { from: "split1", to: "exit1", path: "A" } });
    doc = applyChange(doc, { type: "connect", edge: { from: "split1", to: "exit1", path: "B" } });
    const split = doc.nodes.find((n) => n.id === "split1");
    if (split?.type !== "split") throw new Error("no split");
    doc = applyChange(doc, {
      type: "update-node",
      node: { ...split, split: { arms: [{ name: "control", percent: 100 }] } },
    });
    expect(doc.edges.filter((e) => e.from === "split1")).toEqual([
      { from: "split1", to: "exit1", path: "control" },
    ]);
  });

  it("journey settings: empty settings are dropped from the document", () => {
    const doc = applyChange(cart(), { type: "update-journey", settings: { reentry: undefined } });
    expect("settings" in doc).toBe(false);
    const named = applyChange(doc, { type: "update-journey", name: "Cart v2", description: "" });
    expect(named.name).toBe("Cart v2");
    expect("description" in named).toBe(false);
  });

  it("offers the first free out-path for click-to-add chaining", () => {
    const doc = cart();
    const node = (id: string) => {
      const n = doc.nodes.find((x) => x.id === id);
      if (!n) throw new Error(id);
      return n;
    };
    expect(firstFreePath(doc, node("done"))).toBeNull();
    expect(firstFreePath(doc, node("clicked"))).toBeNull();
    const noYes = applyChange(doc, {
      type: "remove",
      nodeIds: [],
      edges: [{ from: "clicked", to: "done", path: "yes" }],
    });
    expect(firstFreePath(noYes, node("clicked"))).toEqual({ path: "yes" });
    expect(outPaths(node("start"))).toEqual([undefined]);
  });

  it("names new nodes with the lowest free id and slugs journey names", () => {
    expect(nextNodeId("send", new Set(["sms1", "sms3"]))).toBe("sms2");
    expect(slugify("Spring win-back! 2026")).toBe("spring-win-back-2026");
    expect(slugify("回TD退订")).toBe("td");
    expect(slugify("退订")).toBe("journey");
  });

  it("every default node passes the journey schema (a dropped node never blocks autosave)", () => {
    const doc = blankJourney("d", "D");
    for (const type of [
      "trigger",
      "wait",
      "branch",
      "send",
      "cooldown",
      "split",
      "exit",
    ] as const) {
      const withNode = applyChange(doc, {
        type: "add",
        nodes: [defaultNode(type, `${type}9`, { x: 0, y: 0 }, doc)],
      });
      expect(JourneySchema.safeParse(withNode).success, type).toBe(true);
    }
  });
});
