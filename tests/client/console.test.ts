import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { queryString } from "../../client/src/api.ts";
import { highlightEdges, highlightNodes, pathFromTimeline } from "../../client/src/canvas/path.ts";
import { toFlowEdges, toFlowNodes } from "../../client/src/editor/mapping.ts";
import {
  buildEvents,
  formatOffset,
  journeyEvents,
  parseObject,
  parseWhen,
} from "../../client/src/editor/simulate/inputs.ts";
import { i18n } from "../../client/src/i18n/index.ts";
import { applyCounts, countsFromStats, sameCounts } from "../../client/src/live/counts.ts";
import { typeLabel, typeTone } from "../../client/src/pages/contact/timeline.ts";
import {
  lineRows,
  linesFromRows,
  localProblems,
  problemMap,
  toggle,
} from "../../client/src/pages/settings/policy-form.ts";
import { matchRoute, sectionOf } from "../../client/src/router/routes.ts";
import { type Journey, JourneySchema } from "../../engine/index.ts";
import { entryEventOf } from "../../engine/nodes/registry.ts";

const ROOT = join(import.meta.dirname, "../..");
const cart = (): Journey =>
  JourneySchema.parse(
    JSON.parse(readFileSync(join(ROOT, "examples/journeys/cart-reminder.json"), "utf8")),
  );

describe("console routes", () => {
  it("parses every page and maps it to its top-bar section", () => {
    expect(matchRoute("/contacts")).toEqual({ page: "contacts" });
    expect(matchRoute("/contacts/")).toEqual({ page: "contacts" });
    expect(matchRoute("/contacts/user%2F42")).toEqual({ page: "contact", contactId: "user/42" });
    expect(matchRoute("/contacts/%E0%A4%A")).toEqual({
      page: "not-found",
      path: "/contacts/%E0%A4%A",
    });
    expect(matchRoute("/messages")).toEqual({ page: "messages" });
    expect(matchRoute("/settings/")).toEqual({ page: "settings" });
    expect(sectionOf(matchRoute("/journeys/x"))).toBe("journeys");
    expect(sectionOf(matchRoute("/contacts/7"))).toBe("contacts");
    expect(sectionOf(matchRoute("/nope"))).toBeNull();
  });

  it("builds query strings from the defined values only", () => {
    expect(queryString({ status: "sent", channel: undefined, before: 10, q: "" })).toBe(
      "?status=sent&before=10",
    );
    expect(queryString({})).toBe("");
  });
});

describe("live counts", () => {
  it("takes absolute counts, then applies deltas on top, dropping nodes at zero", () => {
    let c = applyCounts(null, { journeyId: "j", deltas: { a: 1 }, at: "" });
    expect(c).toBeNull(); // no base yet: deltas wait for the snapshot
    c = applyCounts(c, { journeyId: "j", absolute: true, counts: { a: 2, b: 0 }, at: "" });
    expect([...(c ?? [])]).toEqual([["a", 2]]);
    c = applyCounts(c, { journeyId: "j", absolute: false, deltas: { a: -2, b: 3 }, at: "" });
    expect([...(c ?? [])]).toEqual([["b", 3]]);
    const same = applyCounts(c, { journeyId: "j", deltas: { b: 0 }, at: "" });
    expect(same).toBe(c);
  });

  it("reads the stats endpoint's current counts and compares maps by content", () => {
    const node = {
      current: 0,
      entered: 1,
      exited: 0,
      sent: 0,
      delivered: 0,
      clicked: 0,
      converted: 0,
      suppressed: {},
      deferred: {},
    };
    const c = countsFromStats({
      journeyId: "j",
      total: { current: 4, entered: 2, exited: 0, sent: 0, delivered: 0, clicked: 0, converted: 0 },
      nodes: { a: { ...node, current: 4 }, b: node },
    });
    expect([...c]).toEqual([["a", 4]]);
    expect(sameCounts(c, new Map([["a", 4]]))).toBe(true);
    expect(sameCounts(c, new Map([["a", 5]]))).toBe(false);
    expect(sameCounts(null, c)).toBe(false);
  });
});

describe("path highlighting", () => {
  it("follows the timeline's nodes and picks the branch arm the timeline recorded", () => {
    const doc = cart();
    const branch = doc.nodes.find((n) => n.type === "branch");
    if (!branch) throw new Error("the cart reminder has a branch");
    const arms = doc.edges.filter((e) => e.from === branch.id);
    const no = arms.find((e) => e.path === "no");
    if (!no) throw new Error("the branch has a no arm");
    const into = doc.edges.find((e) => e.to === branch.id);
    if (!into) throw new Error("something leads into the branch");
    const steps = [
      { nodeId: into.from, type: "sent" },
      { nodeId: branch.id, type: "waiting" },
      { nodeId: branch.id, type: "branched", path: "no" },
      { nodeId: no.to, type: "waiting" },
    ];
    const hl = pathFromTimeline(doc, steps, no.to);
    expect([...hl.nodes]).toEqual([into.from, branch.id, no.to]);
    expect(hl.edges.has(`${into.from}:out->${branch.id}`)).toBe(true);
    expect(hl.edges.has(`${branch.id}:no->${no.to}`)).toBe(true);
    expect(hl.edges.size).toBe(2);

    const view = {
      issues: new Map(),
      selected: new Set<string>(),
      measured: new Map(),
      fallback: new Map(),
      liveCounts: null,
    };
    const nodes = highlightNodes(toFlowNodes(doc, view), hl);
    expect(nodes.find((n) => n.id === no.to)?.className).toBe("wm-current");
    expect(nodes.find((n) => n.id === branch.id)?.className).toBe("wm-visited");
    expect(nodes.filter((n) => n.className === "wm-dim").length).toBe(doc.nodes.length - 3);
    const edges = highlightEdges(toFlowEdges(doc, new Set()), hl);
    expect(edges.filter((e) => e.className?.includes("is-visited")).length).toBe(2);
    // Without a highlight the canvas gets its nodes back untouched (identity kept).
    const plain = toFlowNodes(doc, view);
    expect(highlightNodes(plain, null)).toBe(plain);
  });
});

describe("simulate inputs", () => {
  const start = Date.parse("2025-03-01T00:00:00Z");
  it("reads offsets and ISO instants", () => {
    expect(parseWhen("", start)).toEqual({ ok: true, value: start });
    expect(parseWhen("+2h", start)).toEqual({ ok: true, value: start + 7_200_000 });
    expect(parseWhen("+1d 3h 30m", start)).toEqual({
      ok: true,
      value: start + 86_400_000 + 3 * 3_600_000 + 30 * 60_000,
    });
    expect(parseWhen("2025-03-02T08:00:00Z", start)).toEqual({
      ok: true,
      value: Date.parse("2025-03-02T08:00:00Z"),
    });
    expect(parseWhen("+2x", start).ok).toBe(false);
    expect(parseWhen("+2h later", start).ok).toBe(false);
    expect(parseWhen("tomorrow", start).ok).toBe(false);
    expect(formatOffset(start + 90_061_000, start)).toBe("+1d 1h");
    expect(formatOffset(start + 120_000, start)).toBe("+2m");
    expect(formatOffset(start, start)).toBe("+0");
  });

  it("builds sorted events and names the row at fault", () => {
    const rows = [
      { key: 1, when: "+1h", name: "purchased", properties: '{"amount": 59}' },
      { key: 2, when: "+0", name: "cart_abandoned", properties: "" },
      { key: 3, when: "", name: "", properties: "" },
    ];
    const built = buildEvents(rows, start);
    expect(built).toEqual({
      ok: true,
      value: [
        { at: "2025-03-01T00:00:00.000Z", name: "cart_abandoned" },
        { at: "2025-03-01T01:00:00.000Z", name: "purchased", properties: { amount: 59 } },
      ],
    });
    const bad = buildEvents([{ key: 1, when: "+1h", name: "x", properties: "[1]" }], start);
    expect(bad.ok === false && bad.message).toMatch(/event 1 properties: a JSON object/);
    expect(parseObject("{", "attributes").ok).toBe(false);
  });

  it("suggests the journey's own event names and prefills the trigger", () => {
    const doc = cart();
    const trigger = entryEventOf(doc);
    expect(trigger).toBeTruthy();
    expect(journeyEvents(doc)).toContain(trigger);
  });
});

describe("settings form", () => {
  it("round-trips opt-out lines and catches duplicates and empty lines", () => {
    const rows = lineRows({ en: "Reply STOP to opt out", "zh-CN": "回TD退订" });
    expect(linesFromRows(rows)).toEqual({ en: "Reply STOP to opt out", "zh-CN": "回TD退订" });
    const policy = {
      workspaceTimezone: "UTC",
      quietHours: { start: "08:00", end: "08:00" },
      quietHoursFor: [],
      caps: [],
      unopenedStreak: null,
      consentRequired: {},
      optOutLines: {},
    };
    const dup = [...rows, { key: 99, locale: "en", line: "STOP" }];
    const problems = localProblems(i18n.getFixedT("en"), policy, dup);
    expect(problems.get("optOutLines.en")).toMatch(/twice/);
    expect(problems.get("quietHours")).toMatch(/same time/);
    // A window or cooldown that says no length (a DurationInput passes raw text up) is flagged,
    // in the console's language; calendar_day and ISO values pass.
    const typed = {
      ...policy,
      quietHours: null,
      caps: [
        { channel: "sms", category: "promotional", max: 2, window: "P7D", onExceed: "defer" },
        { channel: "sms", category: "service", max: 1, window: "calendar_day", onExceed: "defer" },
        { channel: "sms", category: "service", max: 1, window: "3 dys", onExceed: "defer" },
      ],
      unopenedStreak: { count: 3, cooldown: "soon" },
    } as const;
    const zh = localProblems(i18n.getFixedT("zh-CN"), { ...typed, caps: [...typed.caps] }, []);
    expect([...zh.keys()]).toEqual(["caps.2.window", "unopenedStreak.cooldown"]);
    expect(zh.get("caps.2.window")).toBe("请填写一段时长，如“30 天”或“12 小时”");
    expect(
      problemMap([{ path: "policy.caps.0.window", message: "bad" }]).get("caps.0.window"),
    ).toBe("bad");
    expect(toggle(["promotional"], "service", true)).toEqual(["promotional", "service"]);
    expect(toggle(["promotional"], "promotional", false)).toEqual([]);
  });
});

describe("timeline wording", () => {
  it("labels and colours known types and keeps unknown ones readable", () => {
    expect(typeLabel("deferred")).toBe("Deferred");
    expect(typeTone("deferred")).toBe("warn");
    expect(typeTone("suppressed")).toBe("bad");
    expect(typeLabel("something_new")).toBe("something_new");
    expect(typeTone("something_new")).toBe("neutral");
  });
});
