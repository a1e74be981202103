import { describe, expect, it } from "vitest";
import { compileFresh } from "../../engine/compile/compile.ts";
import { definitionOf, NODE_DEFINITIONS } from "../../engine/nodes/registry.ts";
import { simulate } from "../../engine/simulate/simulate.ts";
import { DAY, EXAMPLES, example, HOUR } from "./helpers.ts";

/**
 * Node definitions declare what the rest of the house asks of them (entry, sends, settings,
 * engagement events) instead of compile, validate, the ticker and results switching on
 * `type === "send"`. These check the declarations against what the nodes do.
 */
describe("node definitions declare their needs", () => {
  it("exactly one type is the entry: the trigger", () => {
    expect(NODE_DEFINITIONS.filter((d) => d.entry).map((d) => d.type)).toEqual(["trigger"]);
  });

  it("every node that decides a send in a simulation declares `sends`; only send nodes do", () => {
    expect(NODE_DEFINITIONS.filter((d) => d.sends).map((d) => d.type)).toEqual(["send"]);
    const start = Date.parse("2026-03-02T02:00:00Z");
    const sent = new Set<string>();
    const declared = new Set<string>();
    for (const name of EXAMPLES) {
      const j = example(name);
      for (const n of j.nodes) if (definitionOf(n).sends) declared.add(`${j.id}/${n.id}`);
      const r = simulate(
        j,
        {
          id: "c1",
          timezone: "Asia/Shanghai",
          phone: "+8613812345678",
          attributes: { birthday: "1990-03-12", lastPurchaseAt: "2025-09-08", orderCount: 1 },
          consent: { sms: { promotional: true, service: true } },
        },
        [
          { name: "cart_abandoned", at: start + HOUR, properties: { cartValue: 50 } },
          { name: "signed_up", at: start + HOUR },
          { name: "purchased", at: start + HOUR, properties: { category: "cat_food" } },
        ],
        { from: start, until: start + 200 * DAY },
      );
      for (const e of r.timeline) if (e.type === "sent") sent.add(`${j.id}/${e.nodeId}`);
      // A send node's every visit is decided (sent, suppressed or deferred), so it shows up.
      for (const e of r.timeline) {
        if (e.type === "suppressed" || e.type === "deferred") sent.add(`${j.id}/${e.nodeId}`);
      }
    }
    expect([...sent].filter((k) => !declared.has(k))).toEqual([]);
    expect(sent.size).toBeGreaterThan(8);
  });

  it("engagement branches give the events an enrollment listens for once it has sent", () => {
    const events = (name: string) =>
      compileFresh({ versionId: `needs-${name}`, journey: example(name) }).engagementEvents;
    expect(events("cart-reminder")).toEqual(["message.clicked", "message.opened"]); // opened
    expect(events("cart-abandonment")).toEqual(["message.clicked"]); // clicked
    expect(events("new-member-drip")).toEqual([]); // condition branch only
  });

  it("sending nodes decide which contacts the ticker locks (canStillSend)", () => {
    const c = compileFresh({ versionId: "needs-drip", journey: example("new-member-drip") });
    expect([...c.canStillSend].sort()).toEqual(
      [
        "at_1230",
        "bought",
        "first_order",
        "signed_up",
        "top_picks",
        "wait_2d",
        "wait_4d",
        "welcome",
      ].sort(),
    );
  });

  it("the trigger names the event that enters, only when an event does", () => {
    const entering = EXAMPLES.map((name) => {
      const j = example(name);
      return j.nodes.flatMap((n) => {
        const event = definitionOf(n).entryEvent(n);
        return event === null ? [] : [`${n.type}:${event}`];
      });
    });
    expect(entering).toEqual([
      [], // birthday-coupon: a date trigger
      ["trigger:cart_abandoned"],
      ["trigger:cart_abandoned"],
      ["trigger:signed_up"],
      ["trigger:purchased"],
      [], // send-time-ab: entered through the API
      [], // win-back: a date trigger
    ]);
  });

  it("results read channels and A/B arms from the definitions: sends and splits only", () => {
    const channels = new Set<string>();
    const arms: string[] = [];
    for (const name of EXAMPLES) {
      for (const n of example(name).nodes) {
        const def = definitionOf(n);
        const channel = def.channel(n);
        expect([n.id, channel !== null]).toEqual([n.id, def.sends]);
        if (n.type === "send") expect(channel).toBe(n.send.channel);
        if (channel) channels.add(channel);
        const a = def.arms(n);
        expect([n.id, a !== null]).toEqual([n.id, n.type === "split"]);
        if (a) arms.push(`${name}/${n.id}: ${a.map((x) => `${x.name} ${x.percent}%`).join(", ")}`);
      }
    }
    expect([...channels]).toEqual(["sms"]);
    expect(arms).toEqual(["send-time-ab/split: morning 33.33%, lunch 33.33%, evening 33.34%"]);
  });

  it("a best-hour wait makes the ticker load best hours; other journeys skip the query", () => {
    const uses = (name: string) =>
      compileFresh({ versionId: `hour-${name}`, journey: example(name) }).usesBestHour;
    expect(EXAMPLES.filter(uses)).toEqual(["win-back"]);
  });
});
