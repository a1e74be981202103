import { describe, expect, it } from "vitest";
import { advance } from "../../engine/index.ts";
import { compiled, enter, logs, sends, simple } from "./advance-helpers.ts";
import {
  at,
  contact,
  DAY,
  exit,
  HOUR,
  journey,
  policy,
  ports,
  sms,
  trigger,
  waitFor,
} from "./helpers.ts";

describe("advance: events", () => {
  const branchJ = journey(
    [
      trigger(),
      {
        id: "b",
        type: "branch",
        branch: {
          kind: "event",
          event: "purchased",
          where: [{ field: "total", op: "gte", value: 50 }],
          within: "P2D",
        },
      },
      { id: "yes", type: "exit" },
      { id: "no", type: "exit" },
    ],
    [
      ["start", "b"],
      ["b", "yes", "yes"],
      ["b", "no", "no"],
    ],
  );

  it("event branch: yes the moment a matching event arrives", () => {
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(branchJ, t0);
    expect(r).toMatchObject({ nodeId: "b", wakeAt: t0 + 2 * DAY, waitsFor: ["purchased"] });
    const small = advance(
      cj,
      r.snapshot,
      {
        now: t0 + HOUR,
        contact: contact(),
        policy: policy(),
        event: { name: "purchased", at: t0 + HOUR, properties: { total: 10 } },
      },
      ports,
    );
    expect(small.nodeId).toBe("b");
    expect(small.effects).toEqual([]);
    const big = advance(
      cj,
      small.snapshot,
      {
        now: t0 + 2 * HOUR,
        contact: contact(),
        policy: policy(),
        event: { name: "purchased", at: t0 + 2 * HOUR, properties: { total: 99 } },
      },
      ports,
    );
    expect(big).toMatchObject({ status: "completed", nodeId: "yes" });
    expect(logs(big)[0]).toMatchObject({ type: "branched", path: "yes" });
  });

  it("event branch: no when the window ends", () => {
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(branchJ, t0);
    const late = advance(
      cj,
      r.snapshot,
      { now: t0 + 2 * DAY, contact: contact(), policy: policy() },
      ports,
    );
    expect(late).toMatchObject({ status: "completed", nodeId: "no" });
  });

  it("the trigger event does not answer a branch right after it", () => {
    const j = journey(
      [
        trigger("start", "purchased"),
        { id: "b", type: "branch", branch: { kind: "event", event: "purchased", within: "P1D" } },
        { id: "yes", type: "exit" },
        { id: "no", type: "exit" },
      ],
      [
        ["start", "b"],
        ["b", "yes", "yes"],
        ["b", "no", "no"],
      ],
    );
    const t0 = at("2025-05-01T12:00:00Z");
    const { r } = enter(j, t0, contact(), policy(), { name: "purchased", at: t0 });
    expect(r.nodeId).toBe("b");
  });

  it("exitOn: a purchase during a wait exits at once; the goal converts once", () => {
    const j = {
      ...simple,
      settings: { exitOn: [{ event: "purchased" }], goal: { event: "purchased", within: "P7D" } },
    };
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(j, t0);
    expect(r.waitsFor).toEqual(["purchased"]);
    const bought = advance(
      cj,
      r.snapshot,
      {
        now: t0 + 30 * 60_000,
        contact: contact(),
        policy: policy(),
        event: { name: "purchased", at: t0 + 30 * 60_000 },
      },
      ports,
    );
    expect(bought.status).toBe("exited");
    expect(bought.snapshot.state).toBe("$exited");
    expect(bought.nodeId).toBe("w");
    expect(bought.effects.map((e) => e.type)).toEqual(["converted", "log", "log", "exited"]);
    expect(logs(bought).map((e) => e.type)).toEqual(["converted", "exited"]);
    expect(sends(bought)).toEqual([]);
  });

  it("goal without exit: converted once, the journey goes on", () => {
    const j = { ...simple, settings: { goal: { event: "purchased", within: "P7D" } } };
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(j, t0);
    const ev = (t: number) => ({
      now: t,
      contact: contact(),
      policy: policy(),
      event: { name: "purchased", at: t },
    });
    const a = advance(cj, r.snapshot, ev(t0 + 60_000), ports);
    expect(a.effects.filter((e) => e.type === "converted")).toHaveLength(1);
    expect(a.status).toBe("active");
    expect(a.waitsFor).not.toContain("purchased");
    const b = advance(cj, a.snapshot, ev(t0 + 120_000), ports);
    expect(b.effects.filter((e) => e.type === "converted")).toHaveLength(0);
  });

  it("opt-out reply: optOut effect, and a send later in the same call is suppressed", () => {
    const j = journey(
      [
        trigger(),
        sms("s1"),
        {
          id: "b",
          type: "branch",
          branch: { kind: "event", event: "message.replied", within: "P1D" },
        },
        sms("s2", "We hear you"),
        exit(),
        exit("end"),
      ],
      [
        ["start", "s1"],
        ["s1", "b"],
        ["b", "s2", "yes"],
        ["b", "end", "no"],
        ["s2", "done"],
      ],
    );
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(j, t0);
    expect(sends(r)).toHaveLength(1);
    expect(r.waitsFor).toContain("message.replied");
    const reply = advance(
      cj,
      r.snapshot,
      {
        now: t0 + HOUR,
        contact: contact(),
        policy: policy(),
        event: { name: "message.replied", at: t0 + HOUR, properties: { body: "td" } },
      },
      ports,
    );
    expect(reply.effects[0]).toMatchObject({
      type: "optOut",
      channel: "*",
      category: "*",
      keyword: "td",
    });
    expect(sends(reply)).toEqual([]);
    expect(logs(reply).find((e) => e.type === "suppressed")).toMatchObject({
      nodeId: "s2",
      reason: "opted_out",
    });
  });

  it("engagement branch: a click (by nodeId, or the latest send) takes yes; none → no at window end", () => {
    const j = journey(
      [
        trigger(),
        sms("s1"),
        waitFor("w", "PT1H"),
        {
          id: "b",
          type: "branch",
          branch: { kind: "engagement", node: "s1", signal: "opened", within: "P1D" },
        },
        { id: "yes", type: "exit" },
        { id: "no", type: "exit" },
      ],
      [
        ["start", "s1"],
        ["s1", "w"],
        ["w", "b"],
        ["b", "yes", "yes"],
        ["b", "no", "no"],
      ],
    );
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(j, t0);
    expect(r.waitsFor).toEqual(["message.clicked", "message.opened", "message.replied"]);
    // Clicked during the wait (before the branch): recorded, then answers the branch.
    const click = advance(
      cj,
      r.snapshot,
      {
        now: t0 + 60_000,
        contact: contact(),
        policy: policy(),
        event: { name: "message.clicked", at: t0 + 60_000 },
      },
      ports,
    );
    expect(click.snapshot.context.sends.s1?.clicked).toBe(t0 + 60_000);
    const woke = advance(
      cj,
      click.snapshot,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    expect(woke.nodeId).toBe("yes");
    // Delivered is not opened for SMS.
    const delivered = advance(
      cj,
      r.snapshot,
      {
        now: t0 + 60_000,
        contact: contact(),
        policy: policy(),
        event: { name: "message.delivered", at: t0 + 60_000, properties: { nodeId: "s1" } },
      },
      ports,
    );
    const at1h = advance(
      cj,
      delivered.snapshot,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    expect(at1h).toMatchObject({ nodeId: "b", wakeAt: t0 + DAY });
    const end = advance(
      cj,
      at1h.snapshot,
      { now: t0 + DAY, contact: contact(), policy: policy() },
      ports,
    );
    expect(end.nodeId).toBe("no");
  });

  it("a click naming another node is not counted", () => {
    const j = journey(
      [
        trigger(),
        sms("s1"),
        {
          id: "b",
          type: "branch",
          branch: { kind: "engagement", node: "s1", signal: "clicked", within: "P1D" },
        },
        { id: "yes", type: "exit" },
        { id: "no", type: "exit" },
      ],
      [
        ["start", "s1"],
        ["s1", "b"],
        ["b", "yes", "yes"],
        ["b", "no", "no"],
      ],
    );
    const t0 = at("2025-05-01T12:00:00Z");
    const { cj, r } = enter(j, t0);
    const other = advance(
      cj,
      r.snapshot,
      {
        now: t0 + 1,
        contact: contact(),
        policy: policy(),
        event: { name: "message.clicked", at: t0 + 1, properties: { nodeId: "zzz" } },
      },
      ports,
    );
    expect(other.nodeId).toBe("b");
  });
});

describe("advance: condition and split", () => {
  it("condition branch: all / any over attributes", () => {
    const cond = (match: "all" | "any") =>
      journey(
        [
          trigger(),
          {
            id: "b",
            type: "branch",
            branch: {
              kind: "condition",
              match,
              conditions: [
                { field: "orders", op: "gte", value: 3 },
                { field: "address.province", op: "eq", value: "Guangdong" },
              ],
            },
          },
          { id: "yes", type: "exit" },
          { id: "no", type: "exit" },
        ],
        [
          ["start", "b"],
          ["b", "yes", "yes"],
          ["b", "no", "no"],
        ],
      );
    const c = contact({ attributes: { orders: "4", address: { province: "Zhejiang" } } });
    expect(enter(cond("all"), 0, c).r.nodeId).toBe("no");
    expect(enter(cond("any"), 0, c).r.nodeId).toBe("yes");
  });

  it("split: the arm is a stable function of contact and journey, spread by percentages", () => {
    const j = journey(
      [
        trigger(),
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 20 },
              { name: "b", percent: 80 },
            ],
          },
        },
        { id: "ea", type: "exit" },
        { id: "eb", type: "exit" },
      ],
      [
        ["start", "s"],
        ["s", "ea", "a"],
        ["s", "eb", "b"],
      ],
    );
    const cj = compiled(j);
    const arm = (id: string, random: () => number) => {
      const r = advance(
        cj,
        null,
        { now: 0, contact: contact({ id }), policy: policy() },
        { random },
      );
      return r.nodeId;
    };
    expect(arm("alice", () => 0)).toBe(arm("alice", () => 0.99));
    // A fresh compile (another "run" of the engine) gives the same arm.
    expect(
      advance(
        compiled(j),
        null,
        { now: 5, contact: contact({ id: "alice" }), policy: policy() },
        ports,
      ).nodeId,
    ).toBe(arm("alice", () => 0));
    let a = 0;
    for (let i = 0; i < 2000; i++) if (arm(`user-${i}`, () => 0) === "ea") a++;
    expect(a / 2000).toBeGreaterThan(0.17);
    expect(a / 2000).toBeLessThan(0.23);
  });
});
