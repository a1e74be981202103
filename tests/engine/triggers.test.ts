import { describe, expect, it } from "vitest";
import { canReenter, dateTriggerDue, nextDateTrigger, triggerMatches } from "../../engine/index.ts";
import { at, contact, DAY, example } from "./helpers.ts";

describe("entry helpers", () => {
  it("triggerMatches: event name and property filter", () => {
    const j = example("cart-abandonment");
    expect(
      triggerMatches(j, { name: "cart_abandoned", at: 0, properties: { cartValue: 20 } }),
    ).toBe(true);
    expect(
      triggerMatches(j, { name: "cart_abandoned", at: 0, properties: { cartValue: "19.5" } }),
    ).toBe(false);
    expect(triggerMatches(j, { name: "cart_abandoned", at: 0 })).toBe(false);
    expect(triggerMatches(j, { name: "purchased", at: 0, properties: { cartValue: 99 } })).toBe(
      false,
    );
    expect(triggerMatches(example("send-time-ab"), { name: "anything", at: 0 })).toBe(false);
  });

  it("canReenter: never / after a duration from the last entry / always; never while active", () => {
    const now = at("2025-05-01T00:00:00Z");
    const cart = example("cart-reminder"); // after P30D
    expect(canReenter(cart, null, now)).toBe(true);
    expect(canReenter(cart, { enteredAt: now - DAY, endedAt: null }, now)).toBe(false);
    expect(canReenter(cart, { enteredAt: now - 29 * DAY, endedAt: now - 28 * DAY }, now)).toBe(
      false,
    );
    expect(canReenter(cart, { enteredAt: now - 30 * DAY, endedAt: now - 28 * DAY }, now)).toBe(
      true,
    );
    expect(canReenter(example("send-time-ab"), { enteredAt: 0, endedAt: 1 }, now)).toBe(false);
    expect(canReenter(example("replenishment"), { enteredAt: 0, endedAt: 1 }, now)).toBe(true);
  });

  it("date_attribute: yearly birthday 3 days before at 10:00 local, Feb 29 in other years", () => {
    const j = example("birthday-coupon");
    const c = contact({ timezone: "Asia/Shanghai", attributes: { birthday: "1992-02-29" } });
    const next = nextDateTrigger(j, c, at("2025-01-01T00:00:00Z"));
    expect(next).toBe(at("2025-02-25T02:00:00Z")); // Feb 28 − 3 days, 10:00 +08:00
    expect(dateTriggerDue(j, c, at("2025-02-25T05:00:00Z"))).toBe(next);
    expect(dateTriggerDue(j, c, at("2025-02-27T05:00:00Z"))).toBeNull();
    expect(nextDateTrigger(j, c, at("2025-03-01T00:00:00Z"))).toBe(at("2026-02-25T02:00:00Z"));
    expect(nextDateTrigger(j, contact({ attributes: {} }), 0)).toBeNull();
  });

  it("date_attribute once: 180 days after a date-time attribute", () => {
    const j = example("win-back");
    const c = contact({ timezone: "UTC", attributes: { lastPurchaseAt: "2024-11-20T15:30:00Z" } });
    expect(nextDateTrigger(j, c, at("2025-01-01T00:00:00Z"))).toBe(at("2025-05-19T09:00:00Z"));
    expect(nextDateTrigger(j, c, at("2025-06-01T00:00:00Z"))).toBeNull();
  });
});
