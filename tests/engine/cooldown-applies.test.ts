import { describe, expect, it } from "vitest";
import type { Journey, JourneyNode } from "../../engine/index.ts";
import { simulateMany, validate } from "../../engine/index.ts";
import { decide } from "../../engine/rules/index.ts";
import { enter, logs, sends } from "./advance-helpers.ts";
import { at, DAY, exit, HOUR, journey, PROMO_CONSENT, sms, trigger, waitFor } from "./helpers.ts";
import { contact, DAY as RDAY, send, t } from "./rules/fixtures.ts";

// Issue 16: "A Cooldown step silently cancels the journey's own next SMS". A cooldown node now
// says whom it holds back; documents without the field keep the old meaning (all journeys).

type Applies = "other_journeys" | "all_journeys" | undefined;
const cooldown = (applies: Applies, scope: "promotional" | "all" = "promotional"): JourneyNode =>
  applies === undefined
    ? { id: "cool", type: "cooldown", cooldown: { duration: "P7D", scope } }
    : { id: "cool", type: "cooldown", cooldown: { duration: "P7D", scope, applies } };

/** The issue's journey: trigger → wait → SMS → cooldown 7 days → wait 1 day → SMS → exit. */
const winback = (applies: Applies, id = "j1"): Journey =>
  journey(
    [
      trigger(),
      waitFor("w1", "PT1H"),
      sms("s1"),
      cooldown(applies),
      waitFor("w2", "P1D"),
      sms("s2"),
      exit(),
    ],
    [
      ["start", "w1"],
      ["w1", "s1"],
      ["s1", "cool"],
      ["cool", "w2"],
      ["w2", "s2"],
      ["s2", "done"],
    ],
    undefined,
    id,
  );

describe("decide: whom a cooldown holds back", () => {
  const now = t("2025-06-02T04:00:00Z");
  const until = now + 7 * RDAY;

  it("other_journeys: the journey that started it sends; any other journey is suppressed", () => {
    const c = contact({
      cooldowns: [{ scope: "promotional", until, journeyId: "winback", applies: "other_journeys" }],
    });
    expect(decide(send("promotional", "sms", "winback"), c, policyOf(), now).kind).toBe("allow");
    expect(decide(send("promotional", "sms", "drip"), c, policyOf(), now)).toMatchObject({
      kind: "suppress",
      reason: "cooldown",
    });
  });

  it("all_journeys, and records without `applies` (support's, the streak's, older rows), hold every journey", () => {
    for (const extra of [{ applies: "all_journeys" as const }, {}]) {
      const c = contact({
        cooldowns: [{ scope: "promotional", until, journeyId: "winback", ...extra }],
      });
      expect(decide(send("promotional", "sms", "winback"), c, policyOf(), now).kind).toBe(
        "suppress",
      );
      expect(decide(send("promotional", "sms", "drip"), c, policyOf(), now).kind).toBe("suppress");
    }
  });
});

function policyOf() {
  return {
    workspaceTimezone: "UTC",
    quietHours: null,
    caps: [],
    unopenedStreak: null,
    consentRequired: {},
  };
}

describe("advance: a cooldown node's own later sends", () => {
  const t0 = at("2025-05-01T10:00:00Z");
  it("other_journeys: the second SMS of the same journey is sent", () => {
    // Same call: the cooldown effect is in the contact view when s2 decides (no waits between).
    const j = journey(
      [trigger(), sms("s1"), cooldown("other_journeys"), sms("s2"), exit()],
      [
        ["start", "s1"],
        ["s1", "cool"],
        ["cool", "s2"],
        ["s2", "done"],
      ],
    );
    const { r } = enter(j, t0);
    expect(r.effects.find((e) => e.type === "cooldown")).toMatchObject({
      applies: "other_journeys",
    });
    expect(sends(r).map((s) => s.nodeId)).toEqual(["s1", "s2"]);
    expect(logs(r).find((e) => e.type === "cooldown")?.detail).toMatch(
      /^holds other journeys' promotional sends until /,
    );
  });

  it("all_journeys (and no field) suppresses the second SMS, as before", () => {
    for (const applies of ["all_journeys", undefined] as const) {
      const j = journey(
        [trigger(), sms("s1"), cooldown(applies), sms("s2"), exit()],
        [
          ["start", "s1"],
          ["s1", "cool"],
          ["cool", "s2"],
          ["s2", "done"],
        ],
      );
      const { r } = enter(j, t0);
      expect(sends(r).map((s) => s.nodeId)).toEqual(["s1"]);
      expect(logs(r).find((e) => e.type === "suppressed")).toMatchObject({
        nodeId: "s2",
        reason: "cooldown",
      });
    }
  });
});

describe("simulator: the issue's journey, with another journey's promotional SMS", () => {
  const t0 = at("2025-05-01T10:00:00Z");
  const other = journey(
    [trigger("start", "browse"), sms("p1", "Sale today"), exit()],
    [
      ["start", "p1"],
      ["p1", "done"],
    ],
    undefined,
    "drip",
  );
  const events = [
    { at: t0, name: "go" },
    { at: t0 + 3 * HOUR, name: "browse" },
  ];
  const outcome = (applies: Applies) => {
    const r = simulateMany(
      [winback(applies), other],
      { id: "c1", timezone: "UTC", consent: PROMO_CONSENT },
      events,
      {
        from: t0,
        until: t0 + 3 * DAY,
      },
    );
    return r.timeline
      .filter((e) => e.type === "sent" || e.type === "suppressed")
      .map((e) => `${e.journeyId}:${e.nodeId}:${e.type}`);
  };

  it("other_journeys: this journey's s2 is sent, the other journey's promotional SMS is suppressed", () => {
    expect(outcome("other_journeys")).toEqual(["j1:s1:sent", "drip:p1:suppressed", "j1:s2:sent"]);
  });

  it("all_journeys: both are suppressed (the issue's report)", () => {
    expect(outcome("all_journeys")).toEqual([
      "j1:s1:sent",
      "drip:p1:suppressed",
      "j1:s2:suppressed",
    ]);
  });
});

describe("validate: cooldown_blocks_own_send", () => {
  const codes = (j: unknown) =>
    validate(j)
      .filter((i) => i.code === "cooldown_blocks_own_send")
      .map((i) => ({ nodeId: i.nodeId, path: i.path.join("."), severity: i.severity }));

  it("warns on the send an all-journeys cooldown before it would suppress", () => {
    for (const applies of ["all_journeys", undefined] as const) {
      expect(codes(winback(applies))).toEqual([
        { nodeId: "s2", path: "nodes.5.send.category", severity: "warning" },
      ]);
    }
    const msg = validate(winback(undefined)).find((i) => i.code === "cooldown_blocks_own_send");
    expect(msg?.message).toBe(
      `cooldown "cool" holds every journey's promotional sends (this one's included) for 7 days, so this promotional send after it is suppressed while it lasts; make it hold only other journeys' sends, or use a wait`,
    );
  });

  it("no warning for other_journeys, for a send outside the scope, or for a send before the cooldown", () => {
    expect(codes(winback("other_journeys"))).toEqual([]);
    const receipt = journey(
      [trigger(), cooldown("all_journeys"), sms("r1", "receipt", "transactional"), exit()],
      [
        ["start", "cool"],
        ["cool", "r1"],
        ["r1", "done"],
      ],
    );
    expect(codes(receipt)).toEqual([]);
    const before = journey(
      [trigger(), sms("s1"), cooldown("all_journeys"), exit()],
      [
        ["start", "s1"],
        ["s1", "cool"],
        ["cool", "done"],
      ],
    );
    expect(codes(before)).toEqual([]);
  });

  it("scope all covers every category", () => {
    const j = journey(
      [trigger(), cooldown("all_journeys", "all"), sms("r1", "receipt", "transactional"), exit()],
      [
        ["start", "cool"],
        ["cool", "r1"],
        ["r1", "done"],
      ],
    );
    expect(codes(j).map((c) => c.nodeId)).toEqual(["r1"]);
  });
});
