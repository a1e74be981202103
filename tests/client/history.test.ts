import { describe, expect, it } from "vitest";
import { applyChange } from "../../client/src/editor/changes.ts";
import { copyNodes, pasteNodes } from "../../client/src/editor/clipboard.ts";
import { defaultNode } from "../../client/src/editor/defaults.ts";
import { diffJourneys, isEmptyDiff } from "../../client/src/editor/diff.ts";
import {
  canRedo,
  canUndo,
  commit,
  redo,
  startHistory,
  undo,
} from "../../client/src/editor/history.ts";
import { blankJourney } from "../../client/src/editor/new-journey.ts";
import type { Journey } from "../../engine/index.ts";

const named = (name: string): Journey => ({ ...blankJourney("j", "J"), name });

describe("undo / redo", () => {
  it("steps back and forth through documents", () => {
    let h = startHistory(named("a"));
    h = commit(h, named("b"));
    h = commit(h, named("c"));
    h = undo(h);
    expect(h.present.name).toBe("b");
    h = undo(h);
    expect(h.present.name).toBe("a");
    expect(canUndo(h)).toBe(false);
    h = redo(h);
    expect(h.present.name).toBe("b");
    h = commit(h, named("d"));
    expect(canRedo(h)).toBe(false);
  });

  it("merges consecutive commits with the same key (a drag, a field's keystrokes)", () => {
    let h = startHistory(named("a"));
    h = commit(h, named("ab"), "field:name");
    h = commit(h, named("abc"), "field:name");
    h = commit(h, named("x"), "drag:1");
    h = undo(h);
    expect(h.present.name).toBe("abc");
    h = undo(h);
    expect(h.present.name).toBe("a");
  });
});

describe("copy / paste", () => {
  it("pastes copies with new ids, shifted, their internal edges and engagement refs re-pointed", () => {
    let doc = blankJourney("j", "J");
    doc = applyChange(doc, {
      type: "add",
      nodes: [defaultNode("send", "sms1", { x: 100, y: 0 }, doc)],
    });
    doc = applyChange(doc, {
      type: "add",
      nodes: [defaultNode("branch", "branch1", { x: 300, y: 0 }, doc)],
    });
    doc = applyChange(doc, { type: "connect", edge: { from: "start", to: "sms1" } });
    doc = applyChange(doc, { type: "connect", edge: { from: "sms1", to: "branch1" } });
    const clip = copyNodes(doc, new Set(["start", "sms1", "branch1"]));
    if (!clip) throw new Error("nothing copied");
    const pasted = pasteNodes(doc, clip, { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id)).toEqual(["sms2", "branch2"]);
    expect(pasted.nodes[0]?.position).toEqual({ x: 140, y: 40 });
    expect(pasted.edges).toEqual([{ from: "sms2", to: "branch2" }]);
    expect(pasted.nodes[1]).toMatchObject({ branch: { node: "sms2" } });
    expect(copyNodes(doc, new Set())).toBeNull();
  });
});

describe("publish diff", () => {
  it("lists added, removed and changed nodes; a move is not a change", () => {
    let live = blankJourney("j", "J");
    live = applyChange(live, {
      type: "add",
      nodes: [
        defaultNode("wait", "wait1", { x: 0, y: 0 }, live),
        defaultNode("exit", "exit1", { x: 0, y: 0 }, live),
      ],
    });
    let draft = applyChange(live, { type: "move", positions: { wait1: { x: 99, y: 99 } } });
    expect(isEmptyDiff(diffJourneys(live, draft))).toBe(true);
    const wait = draft.nodes.find((n) => n.id === "wait1");
    if (wait?.type !== "wait") throw new Error("no wait");
    draft = applyChange(draft, {
      type: "update-node",
      node: { ...wait, wait: { kind: "duration", duration: "PT2H" } },
    });
    draft = applyChange(draft, { type: "remove", nodeIds: ["exit1"], edges: [] });
    draft = applyChange(draft, {
      type: "add",
      nodes: [defaultNode("send", "sms1", { x: 0, y: 0 }, draft)],
    });
    const d = diffJourneys(live, draft);
    const ids = (change: string) => d.nodes.filter((n) => n.change === change).map((n) => n.nodeId);
    expect(ids("added")).toEqual(["sms1"]);
    expect(ids("removed")).toEqual(["exit1"]);
    expect(
      d.nodes.flatMap((n) =>
        n.change === "changed" ? [[n.nodeId, n.fields.map((f) => f.path)]] : [],
      ),
    ).toEqual([["wait1", [["wait", "duration"]]]]);
  });

  it("against no live version everything is added", () => {
    const d = diffJourneys(null, blankJourney("j", "J"));
    expect(d.nodes.map((n) => [n.change, n.nodeId])).toEqual([["added", "start"]]);
    expect(d.journey).toEqual([]);
  });
});
