import { describe, expect, it } from "vitest";
import { advance } from "../../engine/index.ts";
import { defaultPolicy } from "../../engine/rules/index.ts";
import { compiled, enter, logs, sends } from "./advance-helpers.ts";
import { at, contact, DAY, exit, journey, policy, ports, sms, trigger } from "./helpers.ts";

describe("advance: sends and suppression", () => {
  it("Asia/Shanghai quiet hours: a 22:00 send is deferred to 08:00 and shown in the timeline", () => {
    const j = journey(
      [trigger(), sms("s1"), exit()],
      [
        ["start", "s1"],
        ["s1", "done"],
      ],
    );
    const c = contact({ timezone: "Asia/Shanghai" });
    const t0 = at("2025-05-01T14:00:00Z"); // 22:00 local
    const { cj, r } = enter(j, t0, c, defaultPolicy());
    expect(r.nodeId).toBe("s1");
    expect(r.wakeAt).toBe(at("2025-05-02T00:00:00Z"));
    const deferred = logs(r).find((e) => e.type === "deferred");
    expect(deferred).toMatchObject({ reason: "quiet_hours", until: at("2025-05-02T00:00:00Z") });
    expect(deferred?.detail).toMatch(/deferred to .*08:00 Asia\/Shanghai — quiet hours/);
    expect(sends(r)).toEqual([]);
    const later = advance(
      cj,
      r.snapshot,
      { now: r.wakeAt ?? 0, contact: c, policy: defaultPolicy() },
      ports,
    );
    expect(sends(later)).toHaveLength(1);
    expect(sends(later)[0]?.idempotencyKey).toBe(`${r.snapshot.context.key}:s1:1`);
  });

  it("transactional SMS go at night and carry no opt-out line; zh locale gets 回TD退订", () => {
    const j = journey(
      [
        trigger(),
        sms("t1", "Order {{ event.orderNo }} shipped", "transactional"),
        sms("p1", "新品上架"),
        exit(),
      ],
      [
        ["start", "t1"],
        ["t1", "p1"],
        ["p1", "done"],
      ],
    );
    const c = contact({ locale: "zh-CN" });
    const now = at("2025-05-01T12:00:00Z");
    const cj = compiled(j);
    const r = advance(
      cj,
      null,
      {
        now,
        contact: c,
        policy: policy(),
        event: { name: "go", at: now, properties: { orderNo: "A1" } },
      },
      ports,
    );
    expect(sends(r).map((s) => s.body)).toEqual(["Order A1 shipped", "新品上架 回TD退订"]);
    expect(sends(r)[1]).toMatchObject({ encoding: "UCS-2", locale: "zh-CN" });
  });

  it("email sends have no SMS encoding", () => {
    const node = {
      id: "e1",
      type: "send" as const,
      send: { channel: "email" as const, category: "promotional" as const, template: "Hello" },
    };
    const { r } = enter(
      journey(
        [trigger(), node, exit()],
        [
          ["start", "e1"],
          ["e1", "done"],
        ],
      ),
      at("2025-05-01T12:00:00Z"),
    );
    expect(sends(r)[0]).toMatchObject({
      channel: "email",
      encoding: null,
      parts: 1,
      body: "Hello",
    });
  });

  it("tracked links go through ports.trackLink", () => {
    const j = journey(
      [trigger(), sms("s1", 'Go {{ "https://x.example/a" | track }}', "service"), exit()],
      [
        ["start", "s1"],
        ["s1", "done"],
      ],
    );
    const cj = compiled(j);
    const now = at("2025-05-01T12:00:00Z");
    const r = advance(
      cj,
      null,
      { now, contact: contact(), policy: policy() },
      { ...ports, trackLink: (u) => `https://wm.to/${u.length}` },
    );
    expect(sends(r)[0]?.body).toBe("Go https://wm.to/19");
  });

  it("no consent → suppressed (no_consent) and the journey moves on", () => {
    const j = journey(
      [trigger(), sms("s1"), exit()],
      [
        ["start", "s1"],
        ["s1", "done"],
      ],
    );
    const c = contact({ consent: {} });
    const { r } = enter(j, at("2025-05-01T12:00:00Z"), c);
    expect(sends(r)).toEqual([]);
    expect(logs(r).find((e) => e.type === "suppressed")).toMatchObject({
      reason: "no_consent",
      nodeId: "s1",
    });
    expect(r.status).toBe("completed");
  });

  it("a cooldown node emits a cooldown effect that later sends (same call) respect", () => {
    const j = journey(
      [
        trigger(),
        { id: "cool", type: "cooldown", cooldown: { duration: "P7D", scope: "promotional" } },
        sms("s1"),
        sms("t1", "receipt", "transactional"),
        exit(),
      ],
      [
        ["start", "cool"],
        ["cool", "s1"],
        ["s1", "t1"],
        ["t1", "done"],
      ],
    );
    const now = at("2025-05-01T12:00:00Z");
    const { r } = enter(j, now);
    expect(r.effects.find((e) => e.type === "cooldown")).toEqual({
      type: "cooldown",
      nodeId: "cool",
      scope: "promotional",
      // No `applies` in the document: the meaning from before the choice existed.
      applies: "all_journeys",
      until: now + 7 * DAY,
    });
    expect(logs(r).find((e) => e.type === "suppressed")).toMatchObject({
      nodeId: "s1",
      reason: "cooldown",
    });
    expect(sends(r).map((s) => s.nodeId)).toEqual(["t1"]);
  });

  it("a template that fails to render is suppressed with template_error", () => {
    const j = journey(
      [trigger(), sms("s1", "{{ user.firstName | nosuch }}"), exit()],
      [
        ["start", "s1"],
        ["s1", "done"],
      ],
    );
    const { r } = enter(j, at("2025-05-01T12:00:00Z"));
    expect(logs(r).find((e) => e.type === "suppressed")).toMatchObject({
      reason: "template_error",
    });
  });

  it("a template over its budget with this contact's data is suppressed with template_budget", () => {
    // Valid with sample values (one item); this contact has 50,000 items to loop over.
    const j = journey(
      [trigger(), sms("s1", "{% for i in user.items %}{{ i }}, {% endfor %}"), exit()],
      [
        ["start", "s1"],
        ["s1", "done"],
      ],
    );
    const items = Array.from({ length: 50_000 }, (_, i) => `item ${i}`);
    const started = performance.now();
    const { r } = enter(j, at("2025-05-01T12:00:00Z"), contact({ attributes: { items } }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sends(r)).toEqual([]);
    expect(logs(r).find((e) => e.type === "suppressed")).toMatchObject({
      nodeId: "s1",
      reason: "template_budget",
      detail: expect.stringContaining("budget exceeded"),
    });
  });
});
