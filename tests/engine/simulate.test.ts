import { describe, expect, it } from "vitest";
import { simulate, type TimelineEntry } from "../../engine/index.ts";
import { DEFAULT_LINK_SHAPE, sampleTrackedLink } from "../../engine/sms/compose.ts";
import { at, DAY, example, HOUR, PROMO_CONSENT } from "./helpers.ts";

/** Tracked links are simulated as long as a default install mints them (the URL is not sent). */
const LINK = sampleTrackedLink(DEFAULT_LINK_SHAPE);
const path = (timeline: readonly TimelineEntry[]) => timeline.map((e) => `${e.nodeId}:${e.type}`);
const sentNodes = (timeline: readonly TimelineEntry[]) =>
  timeline.filter((e) => e.type === "sent").map((e) => e.nodeId);

describe("simulate: examples", () => {
  const shopper = {
    id: "u-1",
    timezone: "Asia/Shanghai",
    attributes: { firstName: "Li" },
    consent: PROMO_CONSENT,
  };
  const cart = {
    name: "cart_abandoned",
    properties: { cartValue: 59, productName: "cat tree", cartUrl: "https://shop.example/c/1" },
  };

  it("cart abandonment: 1 h later at night → deferred to 08:00, reminder, no click → last call", () => {
    const t0 = at("2025-03-03T12:30:00Z"); // 20:30 Shanghai
    const r = simulate(example("cart-abandonment"), shopper, [{ at: t0, ...cart }], {
      from: t0,
      until: t0 + 10 * DAY,
    });
    expect(path(r.timeline)).toEqual([
      "abandoned:entered",
      "wait_1h:waiting",
      "low_stock:deferred",
      "low_stock:sent",
      "clicked:waiting",
      "clicked:branched",
      "last_call:sent",
      "end:exited",
    ]);
    const deferred = r.timeline[2];
    expect(deferred).toMatchObject({
      type: "deferred",
      reason: "quiet_hours",
      until: at("2025-03-04T00:00:00Z"),
    });
    expect(deferred?.detail).toMatch(/08:00 Asia\/Shanghai — quiet hours/);
    const sent = r.timeline[3];
    expect(sent?.type === "sent" && sent.body).toBe(
      `Li, the cat tree in your cart is running low. Finish your order: ${LINK}\nReply STOP to opt out`,
    );
    expect(r.final).toEqual({ status: "completed", nodeId: "end" });
  });

  it("cart abandonment: a click takes yes; a purchase during the wait exits before any send", () => {
    const t0 = at("2025-03-03T02:00:00Z"); // 10:00 Shanghai
    const clicked = simulate(
      example("cart-abandonment"),
      shopper,
      [
        { at: t0, ...cart },
        { at: t0 + 2 * HOUR, name: "message.clicked" },
      ],
      {
        from: t0,
        until: t0 + 10 * DAY,
      },
    );
    expect(clicked.final).toEqual({ status: "completed", nodeId: "done" });
    expect(sentNodes(clicked.timeline)).toEqual(["low_stock"]);

    const bought = simulate(
      example("cart-abandonment"),
      shopper,
      [
        { at: t0, ...cart },
        { at: t0 + 30 * 60_000, name: "purchased" },
      ],
      {
        from: t0,
        until: t0 + 10 * DAY,
      },
    );
    expect(path(bought.timeline)).toEqual([
      "abandoned:entered",
      "wait_1h:waiting",
      "wait_1h:converted",
      "wait_1h:exited",
    ]);
    expect(bought.final).toEqual({ status: "exited", nodeId: "wait_1h" });
  });

  it("cart abandonment: carts under 20 do not enter", () => {
    const t0 = at("2025-03-03T02:00:00Z");
    const r = simulate(
      example("cart-abandonment"),
      shopper,
      [{ at: t0, name: "cart_abandoned", properties: { cartValue: 5 } }],
      {
        from: t0,
        until: t0 + DAY,
      },
    );
    expect(r.timeline).toEqual([]);
    expect(r.final).toEqual({ status: "not_entered", nodeId: null });
  });

  it("cart reminder (issue example): opt-out reply TD mid-journey", () => {
    const t0 = at("2025-03-03T02:00:00Z");
    const r = simulate(
      example("cart-reminder"),
      shopper,
      [
        { at: t0, name: "cart_abandoned" },
        { at: t0 + 2 * HOUR, name: "message.replied", properties: { body: "TD" } },
      ],
      {
        from: t0,
        until: t0 + 10 * DAY,
      },
    );
    expect(sentNodes(r.timeline)).toEqual(["sms1"]);
    expect(r.final).toEqual({ status: "completed", nodeId: "done" });
    expect(path(r.timeline)).toContain("cool:cooldown");
  });

  it("win-back: enters 180 days after the last purchase, coupon at the best hour, second coupon, purchase converts and exits", () => {
    const c = {
      id: "u-42",
      consent: PROMO_CONSENT,
      timezone: "Asia/Shanghai",
      attributes: { firstName: "Wei", orderCount: 3, lastPurchaseAt: "2024-11-20" },
    };
    // Past activity around 20:15 local: the best hour is 20:00.
    const history = [1, 2, 3, 4].map((d) => ({
      at: at(`2025-04-0${d}T12:15:00Z`),
      name: "app_opened",
    }));
    const purchase = { at: at("2025-05-22T03:00:00Z"), name: "purchased" };
    const r = simulate(example("win-back"), c, [...history, purchase], {
      from: at("2025-05-01T00:00:00Z"),
      until: at("2025-07-01T00:00:00Z"),
    });
    expect(r.timeline[0]).toMatchObject({ type: "entered", at: at("2025-05-19T01:00:00Z") }); // 09:00 local, day 180
    const sent = r.timeline.filter((e) => e.type === "sent");
    expect(sent.map((e) => [e.nodeId, e.at])).toEqual([
      ["coupon_1", at("2025-05-19T12:00:00Z")],
      ["coupon_2", at("2025-05-21T12:00:00Z")],
    ]);
    expect(r.final).toEqual({ status: "completed", nodeId: "end" });

    const early = { at: at("2025-05-20T03:00:00Z"), name: "purchased" };
    const converted = simulate(example("win-back"), c, [...history, early], {
      from: at("2025-05-01T00:00:00Z"),
      until: at("2025-07-01T00:00:00Z"),
    });
    expect(path(converted.timeline).slice(-2)).toEqual(["opened_1:converted", "opened_1:exited"]);
    expect(sentNodes(converted.timeline)).toEqual(["coupon_1"]);
  });

  it("win-back: someone who never ordered leaves at the condition", () => {
    const c = {
      id: "u-7",
      attributes: { orderCount: 0, lastPurchaseAt: "2024-11-20" },
      consent: PROMO_CONSENT,
    };
    const r = simulate(example("win-back"), c, [], {
      from: at("2025-05-01T00:00:00Z"),
      until: at("2025-07-01T00:00:00Z"),
    });
    expect(r.final).toEqual({ status: "completed", nodeId: "skip" });
  });

  it("replenishment: 90 days after cat food, at 10:00 local; a reorder within 7 days converts", () => {
    const c = {
      id: "u-3",
      timezone: "Asia/Shanghai",
      attributes: { petName: "Mimi" },
      consent: PROMO_CONSENT,
    };
    const bought = {
      at: at("2025-01-05T04:00:00Z"),
      name: "purchased",
      properties: {
        category: "cat_food",
        productName: "Royal Canin 2kg",
        reorderUrl: "https://shop.example/r/1",
      },
    };
    const reorder = {
      at: at("2025-04-07T04:00:00Z"),
      name: "purchased",
      properties: { category: "cat_food" },
    };
    const r = simulate(example("replenishment"), c, [bought, reorder], {
      from: at("2025-01-01T00:00:00Z"),
      until: at("2025-06-01T00:00:00Z"),
    });
    const sent = r.timeline.find((e) => e.type === "sent");
    expect(sent).toMatchObject({ nodeId: "remind", at: at("2025-04-06T02:00:00Z") });
    expect(sent?.type === "sent" && sent.body).toContain(
      `Royal Canin 2kg running low? Reorder in one tap: ${LINK} Tip: 3 months is also time for Mimi's deworming.`,
    );
    expect(path(r.timeline)).toContain("reordered:converted");
    expect(r.timeline.find((e) => e.type === "branched")).toMatchObject({
      path: "yes",
      nodeId: "reordered",
    });
    expect(path(r.timeline)).toContain("done:exited");
    // Re-entry "always": the reorder itself starts the next 90-day cycle.
    expect(r.timeline.filter((e) => e.type === "entered").map((e) => e.at)).toEqual([
      bought.at,
      reorder.at,
    ]);
    expect(r.final).toEqual({ status: "active", nodeId: "wait_90d" });
  });

  it("birthday coupon: 3 days before at 10:00 local, reminder on the day, every year", () => {
    const c = {
      id: "u-1",
      consent: PROMO_CONSENT,
      timezone: "Europe/London",
      attributes: { firstName: "Amy", birthday: "1990-06-12" },
    };
    const r = simulate(example("birthday-coupon"), c, [], {
      from: at("2025-05-01T00:00:00Z"),
      until: at("2025-12-31T00:00:00Z"),
    });
    expect(r.timeline.filter((e) => e.type === "sent").map((e) => [e.nodeId, e.at])).toEqual([
      ["coupon", at("2025-06-09T09:00:00Z")],
      ["last_day", at("2025-06-12T09:00:00Z")],
    ]);
    const next = simulate(
      example("birthday-coupon"),
      c,
      [{ at: at("2026-06-10T09:00:00Z"), name: "purchased" }],
      {
        from: at("2026-01-01T00:00:00Z"),
        until: at("2026-12-31T00:00:00Z"),
      },
    );
    expect(sentNodes(next.timeline)).toEqual(["coupon"]);
    expect(next.final.nodeId).toBe("done");
  });

  it("new-member drip: welcome at once (service, even at night), coupon on the next weekday 12:30, top picks", () => {
    const c = {
      id: "u-2",
      consent: PROMO_CONSENT,
      timezone: "America/New_York",
      attributes: { firstName: "Bo", memberNo: "M123", orderCount: 0 },
    };
    const r = simulate(
      example("new-member-drip"),
      c,
      [{ at: at("2025-05-02T03:00:00Z"), name: "signed_up" }],
      {
        from: at("2025-05-01T00:00:00Z"),
        until: at("2025-06-01T00:00:00Z"),
      },
    );
    expect(r.timeline.filter((e) => e.type === "sent").map((e) => [e.nodeId, e.at])).toEqual([
      ["welcome", at("2025-05-02T03:00:00Z")], // 23:00 local: service is not held by quiet hours
      ["first_order", at("2025-05-05T16:30:00Z")], // Saturday → Monday 12:30 EDT
      ["top_picks", at("2025-05-09T16:30:00Z")],
    ]);
  });

  it("send-time A/B: the arm's hour, conversions counted within the window", () => {
    const runFor = (id: string) =>
      simulate(
        example("send-time-ab"),
        { id, timezone: "Asia/Shanghai", consent: PROMO_CONSENT },
        [{ at: at("2025-05-03T02:00:00Z"), name: "purchased" }],
        {
          from: at("2025-05-01T00:00:00Z"),
          until: at("2025-06-01T00:00:00Z"),
        },
      );
    const hours: Record<string, string> = { morning: "10:00", lunch: "12:30", evening: "19:00" };
    const seen = new Set<string>();
    for (const id of ["a", "b", "c", "d", "e", "f"]) {
      const r = runFor(id);
      const arm = r.timeline.find((e) => e.type === "branched");
      const sent = r.timeline.find((e) => e.type === "sent");
      const armName = arm?.type === "branched" ? arm.path : "";
      seen.add(armName);
      const local = new Date((sent?.at ?? 0) + 8 * HOUR).toISOString().slice(11, 16);
      expect(local).toBe(hours[armName]);
      expect(path(r.timeline)).toContain("attribution:converted");
      // Stable across runs.
      expect(runFor(id).timeline).toEqual(r.timeline);
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});
