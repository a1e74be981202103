import { describe, expect, it } from "vitest";
import type { ContactView } from "../../../engine/contact.ts";
import { noteEffect } from "../../../engine/contact-update.ts";
import { decide } from "../../../engine/rules/decide.ts";
import type { ProviderRules } from "../../../engine/rules/provider.ts";
import { contact, policy, send, sent, t } from "./fixtures.ts";

/**
 * The provider's daily limit counts the phone NUMBER's SMS (ContactState.phoneSends, whoever
 * they were for) when the caller loaded them, and the contact's own SMS otherwise (issue 19).
 */

const ALIYUN: ProviderRules = {
  channel: "sms",
  provider: "aliyun",
  zone: "Asia/Shanghai",
  window: { start: "08:00", end: "22:00" },
  windowFor: ["promotional"],
  dailyLimit: 2,
};
const NOON = t("2026-03-02T04:00:00Z"); // 12:00 in Shanghai
const MIDNIGHT = t("2026-03-02T16:00:00Z");
const p = policy({ providerRules: ALIYUN, quietHours: null });

describe("the provider's per-number daily limit", () => {
  it("counts the number's sends today, not the contact's: another contact's SMS use it up", () => {
    const c = contact({ phoneSends: [NOON - 2 * 3600_000, NOON - 3600_000] });
    expect(decide(send("transactional"), c, p, NOON)).toMatchObject({
      kind: "defer",
      reason: "provider_limit",
      until: MIDNIGHT,
    });
  });

  it("the contact's own sends to an earlier number do not count against the new one", () => {
    const c = contact({
      recentSends: [sent(NOON - 7200_000), sent(NOON - 3600_000)],
      phoneSends: [],
    });
    expect(decide(send("transactional"), c, p, NOON).kind).toBe("allow");
  });

  it("yesterday's China day does not count; without phoneSends the contact's own SMS do", () => {
    const yesterday = MIDNIGHT - 86_400_000 - 1;
    expect(
      decide(send("transactional"), contact({ phoneSends: [yesterday, yesterday] }), p, NOON).kind,
    ).toBe("allow");
    const own = contact({ recentSends: [sent(NOON - 7200_000), sent(NOON - 3600_000)] });
    expect(decide(send("transactional"), own, p, NOON)).toMatchObject({ reason: "provider_limit" });
  });

  it("a send joins the number's list by copy, leaving the loaded list as it was", () => {
    const loaded = [NOON - 3600_000];
    const view: ContactView = { ...contact({ phoneSends: loaded }), id: "1", attributes: {} };
    noteEffect(
      view,
      {
        type: "send",
        at: NOON,
        channel: "sms",
        category: "transactional",
        nodeId: "s1",
        idempotencyKey: "k",
        body: "x",
        parts: 1,
        encoding: "GSM-7",
      },
      "j",
    );
    expect(view.phoneSends).toEqual([NOON - 3600_000, NOON]);
    expect(loaded).toEqual([NOON - 3600_000]);
    expect(decide(send("transactional"), view, p, NOON + 1)).toMatchObject({
      reason: "provider_limit",
    });
  });
});
