import { describe, expect, it } from "vitest";
import { advance, type EnrollmentSnapshot, type Journey } from "../../engine/index.ts";
import { compiled, enter, logs, sends, simple } from "./advance-helpers.ts";
import {
  at,
  contact,
  exit,
  HOUR,
  journey,
  policy,
  ports,
  sms,
  trigger,
  waitFor,
} from "./helpers.ts";

describe("advance: entering and waiting", () => {
  it("enters at the trigger, logs entered, holds on the wait with wakeAt", () => {
    const t0 = at("2025-05-01T10:00:00Z");
    const { r } = enter(simple, t0);
    expect(r.status).toBe("active");
    expect(r.nodeId).toBe("w");
    expect(r.wakeAt).toBe(t0 + HOUR);
    expect(logs(r).map((e) => e.type)).toEqual(["entered", "waiting"]);
    expect(r.snapshot.context.key).toBe(`c1:j1:${t0.toString(36)}`);
    expect(r.snapshot.state).toBe("w");
  });

  it("an early call (event) does not move a wait; the wake-up does, and sends", () => {
    const t0 = at("2025-05-01T10:00:00Z");
    const { cj, r } = enter(simple, t0);
    const early = advance(
      cj,
      r.snapshot,
      { now: t0 + 10 * 60_000, contact: contact(), policy: policy() },
      ports,
    );
    expect(early.nodeId).toBe("w");
    expect(early.effects).toEqual([]);
    const woke = advance(
      cj,
      early.snapshot,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    expect(woke.status).toBe("completed");
    expect(sends(woke)).toHaveLength(1);
    expect(sends(woke)[0]).toMatchObject({
      nodeId: "s1",
      channel: "sms",
      category: "promotional",
      body: "Hi Ann\nReply STOP to opt out",
      encoding: "GSM-7",
      parts: 1,
      idempotencyKey: `${r.snapshot.context.key}:s1:1`,
    });
    expect(woke.effects.at(-1)).toEqual({ type: "exited", reason: "exit_node", at: t0 + HOUR });
  });

  it("is deterministic: the same call twice gives the same result (safe retries)", () => {
    const t0 = at("2025-05-01T10:00:00Z");
    const { cj, r } = enter(simple, t0);
    const a = advance(
      cj,
      r.snapshot,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    const b = advance(
      cj,
      r.snapshot,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    expect(b).toEqual(a);
  });

  it("restores from a JSON round-tripped snapshot", () => {
    const t0 = at("2025-05-01T10:00:00Z");
    const { cj, r } = enter(simple, t0);
    const text = JSON.stringify(r.snapshot);
    const restored = JSON.parse(text) as EnrollmentSnapshot;
    const x = cj.machine.resolveState({ value: restored.state, context: restored.context });
    expect(x.value).toBe("w");
    expect(x.context).toEqual(r.snapshot.context);
    const a = advance(
      cj,
      restored,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    const b = advance(
      cj,
      r.snapshot,
      { now: t0 + HOUR, contact: contact(), policy: policy() },
      ports,
    );
    expect(a).toEqual(b);
    expect(text.length).toBeLessThan(400);
  });

  it("refuses a snapshot of another version", () => {
    const { r } = enter(simple, 0);
    expect(() =>
      advance(
        compiled(simple),
        r.snapshot,
        { now: 1, contact: contact(), policy: policy() },
        ports,
      ),
    ).toThrow(/version/);
  });

  it("an ended enrollment stays ended and produces nothing", () => {
    const j = journey([trigger(), exit()], [["start", "done"]]);
    const { cj, r } = enter(j, 0);
    expect(r.status).toBe("completed");
    const again = advance(cj, r.snapshot, { now: 5, contact: contact(), policy: policy() }, ports);
    expect(again).toMatchObject({ status: "completed", effects: [], waitsFor: [], wakeAt: null });
  });

  it("a node without out-edge ends the enrollment (end_of_path)", () => {
    const j = journey([trigger(), sms("s1")], [["start", "s1"]]);
    const { r } = enter(j, at("2025-05-01T10:00:00Z"));
    expect(r.status).toBe("completed");
    expect(r.nodeId).toBe("s1");
    expect(r.snapshot.state).toBe("$completed");
    expect(logs(r).at(-1)).toMatchObject({ type: "exited", reason: "end_of_path" });
  });

  it("an invalid cycle without a wait stops with loop_guard instead of hanging", () => {
    const j = journey(
      [trigger(), { id: "c", type: "cooldown", cooldown: { duration: "PT1S", scope: "all" } }],
      [
        ["start", "c"],
        ["c", "c"],
      ],
    );
    const { r } = enter(j, 0);
    expect(r.status).toBe("exited");
    expect(logs(r).at(-1)).toMatchObject({ type: "exited", reason: "loop_guard" });
  });
});

describe("advance: waits", () => {
  const waitJ = (wait: Journey["nodes"][number]) =>
    journey(
      [trigger(), wait, exit()],
      [
        ["start", wait.id],
        [wait.id, "done"],
      ],
    );

  it("P1D across the New York spring-forward keeps 10:00 local (23 real hours)", () => {
    const t0 = at("2025-03-08T15:00:00Z"); // 10:00 EST
    const { r } = enter(waitJ(waitFor("w", "P1D")), t0, contact({ timezone: "America/New_York" }));
    expect(r.wakeAt).toBe(at("2025-03-09T14:00:00Z")); // 10:00 EDT
    expect((r.wakeAt ?? 0) - t0).toBe(23 * HOUR);
  });

  it("PT24H across the same change is 24 elapsed hours (11:00 local)", () => {
    const t0 = at("2025-03-08T15:00:00Z");
    const { r } = enter(
      waitJ(waitFor("w", "PT24H")),
      t0,
      contact({ timezone: "America/New_York" }),
    );
    expect(r.wakeAt).toBe(t0 + 24 * HOUR);
  });

  it("P1D across the London autumn change is 25 real hours", () => {
    const t0 = at("2025-10-25T09:00:00Z"); // 10:00 BST
    const { r } = enter(waitJ(waitFor("w", "P1D")), t0, contact({ timezone: "Europe/London" }));
    expect(r.wakeAt).toBe(at("2025-10-26T10:00:00Z")); // 10:00 GMT
  });

  it("time_of_day: next 10:00 local in London across spring-forward, on allowed weekdays", () => {
    const node = {
      id: "w",
      type: "wait" as const,
      wait: { kind: "time_of_day" as const, time: "10:00" },
    };
    const { r } = enter(
      waitJ(node),
      at("2025-03-29T12:00:00Z"),
      contact({ timezone: "Europe/London" }),
    );
    expect(r.wakeAt).toBe(at("2025-03-30T09:00:00Z")); // Sunday 10:00 BST
    const weekdays = { ...node, wait: { ...node.wait, weekdays: [1] } };
    const monday = enter(
      waitJ(weekdays),
      at("2025-03-29T12:00:00Z"),
      contact({ timezone: "Europe/London" }),
    );
    expect(monday.r.wakeAt).toBe(at("2025-03-31T09:00:00Z"));
  });

  it("until_attribute: a date attribute minus an offset, at the given local time", () => {
    const node = {
      id: "w",
      type: "wait" as const,
      wait: {
        kind: "until_attribute" as const,
        attribute: "renewal",
        offset: "P3D",
        direction: "before" as const,
        time: "10:00",
      },
    };
    const c = contact({ timezone: "Asia/Shanghai", attributes: { renewal: "2025-06-10" } });
    const { r } = enter(waitJ(node), at("2025-06-01T00:00:00Z"), c);
    expect(r.wakeAt).toBe(at("2025-06-07T02:00:00Z")); // 10:00 +08:00
  });

  it("until_attribute already past goes on at once; missing attribute exits", () => {
    const node = {
      id: "w",
      type: "wait" as const,
      wait: { kind: "until_attribute" as const, attribute: "renewal" },
    };
    const past = enter(
      waitJ(node),
      at("2025-06-01T00:00:00Z"),
      contact({ attributes: { renewal: "2025-01-01" } }),
    );
    expect(past.r.status).toBe("completed");
    const missing = enter(waitJ(node), at("2025-06-01T00:00:00Z"), contact({ attributes: {} }));
    expect(missing.r.status).toBe("exited");
    expect(logs(missing.r).at(-1)).toMatchObject({ type: "exited", reason: "missing_attribute" });
  });

  it("best_hour uses ports.bestHour, else the fallback", () => {
    const node = {
      id: "w",
      type: "wait" as const,
      wait: { kind: "best_hour" as const, fallback: "12:30" },
    };
    const t0 = at("2025-06-01T00:00:00Z");
    const cj = compiled(waitJ(node));
    const withData = advance(
      cj,
      null,
      { now: t0, contact: contact(), policy: policy() },
      { ...ports, bestHour: () => 20 },
    );
    expect(withData.wakeAt).toBe(at("2025-06-01T20:00:00Z"));
    const without = advance(
      cj,
      null,
      { now: t0, contact: contact(), policy: policy() },
      { ...ports, bestHour: () => null },
    );
    expect(without.wakeAt).toBe(at("2025-06-01T12:30:00Z"));
  });
});
