import { describe, expect, it } from "vitest";
import type { Comparison } from "../../engine/format/primitives.ts";
import { type Journey, simulate, type TimelineEntry, validate } from "../../engine/index.ts";
import {
  conditionAudiences,
  conditionHolds,
  unknownAudienceIssues,
} from "../../engine/nodes/branch.ts";
import { enter, logs } from "./advance-helpers.ts";
import { at, contact, DAY, exit, journey, PROMO_CONSENT, sms, trigger } from "./helpers.ts";

/** trigger → condition branch (audience + conditions) → yes: send "in", no: send "out". */
function onAudience(audience: string, conditions: Comparison[] = [], match?: "all" | "any") {
  return journey(
    [
      trigger(),
      {
        id: "b",
        type: "branch",
        branch: { kind: "condition", conditions, audience, ...(match ? { match } : {}) },
      },
      sms("in", "Welcome back, VIP"),
      sms("out", "We miss you"),
      exit(),
    ],
    [
      ["start", "b"],
      ["b", "in", "yes"],
      ["b", "out", "no"],
      ["in", "done"],
      ["out", "done"],
    ],
  );
}

const branchedEntry = (entries: readonly TimelineEntry[]) =>
  entries.find((e) => e.type === "branched");

const vip: Comparison = { field: "vip", op: "eq", value: true };
const orders: Comparison = { field: "orders", op: "gte", value: 3 };

describe("condition branch on audience membership", () => {
  const t0 = at("2025-05-01T12:00:00Z");

  it("a member takes yes, a non-member no; the log says why", () => {
    const j = onAudience("dormant-high-value");
    const member = enter(j, t0, contact({ audiences: ["regulars", "dormant-high-value"] })).r;
    expect(member.nodeId).toBe("done");
    expect(branchedEntry(logs(member))).toMatchObject({
      path: "yes",
      detail: 'in audience "dormant-high-value"',
    });
    expect(logs(member).find((e) => e.type === "sent")?.nodeId).toBe("in");

    const other = enter(j, t0, contact({ audiences: ["regulars"] })).r;
    expect(branchedEntry(logs(other))).toMatchObject({
      path: "no",
      detail: 'not in audience "dormant-high-value"',
    });
    expect(logs(other).find((e) => e.type === "sent")?.nodeId).toBe("out");
  });

  it("memberships not loaded read as not a member, and the detail says so", () => {
    const r = enter(onAudience("vips"), t0, contact()).r;
    expect(branchedEntry(logs(r))).toMatchObject({
      path: "no",
      detail: 'not in audience "vips" (memberships not loaded)',
    });
  });

  it("audience AND conditions; match combines the conditions only", () => {
    const b = (conditions: Comparison[], match?: "all" | "any") => ({
      kind: "condition" as const,
      conditions,
      audience: "vips",
      ...(match ? { match } : {}),
    });
    const inside = { attributes: { vip: true, orders: 1 }, audiences: ["vips"] };
    const outside = { attributes: { vip: true, orders: 9 }, audiences: [] };

    expect(conditionHolds(b([vip, orders]), inside)).toEqual({
      yes: false,
      detail: 'in audience "vips"; 2 conditions (all) did not hold',
    });
    expect(conditionHolds(b([vip, orders], "any"), inside)).toEqual({
      yes: true,
      detail: 'in audience "vips"; 2 conditions (any) held',
    });
    // Conditions holding do not make up for the audience.
    expect(conditionHolds(b([vip, orders], "any"), outside)).toEqual({
      yes: false,
      detail: 'not in audience "vips"; 2 conditions (any) held',
    });
    // With an audience and no conditions, membership alone decides, whatever `match` says.
    expect(conditionHolds(b([], "any"), inside).yes).toBe(true);
    expect(conditionHolds(b([], "all"), inside).yes).toBe(true);
    expect(conditionHolds(b([], "any"), outside).yes).toBe(false);
  });

  it("without an audience the branch is unchanged and ignores memberships", () => {
    const plain = { kind: "condition" as const, conditions: [vip] };
    const c = { attributes: { vip: true }, audiences: [] };
    expect(conditionHolds(plain, c)).toEqual({ yes: true, detail: "1 condition (all) held" });
    expect(conditionHolds({ ...plain, conditions: [], match: "any" }, c).yes).toBe(false);
    expect(conditionHolds({ ...plain, conditions: [] }, c).yes).toBe(true);
  });

  it("runs through advance with conditions: member + conditions → yes", () => {
    const j = onAudience("vips", [vip, orders], "all");
    const c = contact({ attributes: { vip: true, orders: 5 }, audiences: ["vips"] });
    const r = enter(j, t0, c).r;
    expect(branchedEntry(logs(r))).toMatchObject({
      path: "yes",
      detail: 'in audience "vips"; 2 conditions (all) held',
    });
  });
});

describe("audience references", () => {
  const j: Journey = journey(
    [
      trigger(),
      {
        id: "a",
        type: "branch",
        branch: { kind: "condition", conditions: [], audience: "vips" },
      },
      {
        id: "b",
        type: "branch",
        branch: { kind: "condition", conditions: [vip], audience: "lapsed" },
      },
      {
        id: "c",
        type: "branch",
        branch: { kind: "condition", conditions: [], audience: "vips" },
      },
      { id: "e", type: "branch", branch: { kind: "event", event: "go", within: "P1D" } },
      exit(),
    ],
    [
      ["start", "a"],
      ["a", "b", "yes"],
      ["a", "c", "no"],
      ["b", "e", "yes"],
      ["b", "done", "no"],
      ["c", "done", "yes"],
      ["c", "done", "no"],
      ["e", "done", "yes"],
      ["e", "done", "no"],
    ],
  );

  it("validate no longer warns about audience conditions", () => {
    expect(validate(j)).toEqual([]);
  });

  it("conditionAudiences lists each referenced audience once", () => {
    expect(conditionAudiences(j)).toEqual(["vips", "lapsed"]);
    expect(conditionAudiences(journey([trigger(), exit()], [["start", "done"]]))).toEqual([]);
  });

  it("unknownAudienceIssues flags every branch naming a missing audience", () => {
    expect(unknownAudienceIssues(j, new Set(["vips", "lapsed"]))).toEqual([]);
    const issues = unknownAudienceIssues(j, new Set(["lapsed"]));
    expect(issues).toEqual([
      {
        code: "audience_unknown",
        severity: "error",
        message: 'condition branch "a" reads audience "vips", which does not exist',
        nodeId: "a",
        path: ["nodes", 1, "branch", "audience"],
        params: { audience: "vips" },
      },
      {
        code: "audience_unknown",
        severity: "error",
        message: 'condition branch "c" reads audience "vips", which does not exist',
        nodeId: "c",
        path: ["nodes", 3, "branch", "audience"],
        params: { audience: "vips" },
      },
    ]);
  });
});

describe("simulate: audiences on the simulated contact", () => {
  const t0 = at("2025-05-01T12:00:00Z");
  const run = (audiences?: string[]) =>
    simulate(
      onAudience("vips"),
      {
        id: "u-1",
        timezone: "UTC",
        consent: PROMO_CONSENT,
        ...(audiences ? { audiences } : {}),
      },
      [{ at: t0, name: "go" }],
      { from: t0, until: t0 + DAY },
    );

  it("a contact listing the audience takes yes", () => {
    const r = run(["vips"]);
    expect(branchedEntry(r.timeline)).toMatchObject({ path: "yes", detail: 'in audience "vips"' });
    expect(r.timeline.filter((e) => e.type === "sent").map((e) => e.nodeId)).toEqual(["in"]);
  });

  it("a contact without audiences is in none (loaded, not unknown) and takes no", () => {
    const r = run();
    expect(branchedEntry(r.timeline)).toMatchObject({
      path: "no",
      detail: 'not in audience "vips"',
    });
    expect(r.timeline.filter((e) => e.type === "sent").map((e) => e.nodeId)).toEqual(["out"]);
  });
});
