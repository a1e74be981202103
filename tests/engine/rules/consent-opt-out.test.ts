import { describe, expect, it } from "vitest";
import { decide } from "../../../engine/rules/decide.ts";
import { contact, policy, send, t } from "./fixtures.ts";

const noon = t("2025-06-02T12:00:00+08:00");
const p = policy();

describe("opt-out", () => {
  it("suppresses promotional and even transactional", () => {
    const c = contact({
      optOuts: [
        { channel: "*", category: "*", at: t("2025-05-01T10:00:00+08:00"), source: "reply TD" },
      ],
    });
    expect(decide(send(), c, p, noon)).toEqual({
      kind: "suppress",
      reason: "opted_out",
      detail:
        "opted out of all channels/all categories via reply TD at 2025-05-01 10:00 Asia/Shanghai",
    });
    expect(decide(send("transactional"), c, p, noon)).toMatchObject({
      kind: "suppress",
      reason: "opted_out",
    });
    expect(decide(send("service", "email"), c, p, noon)).toMatchObject({
      kind: "suppress",
      reason: "opted_out",
    });
  });

  it("matches channel and category", () => {
    const c = contact({ optOuts: [{ channel: "sms", category: "promotional", at: 1 }] });
    expect(decide(send(), c, p, noon)).toMatchObject({ reason: "opted_out" });
    expect(decide(send("transactional"), c, p, noon).kind).toBe("allow");
    expect(decide(send("promotional", "email"), c, p, noon).kind).toBe("allow");
  });

  it("is lifted only by a later explicit grant for that channel and category", () => {
    const optedOut = {
      channel: "*" as const,
      category: "*" as const,
      at: t("2025-05-01T00:00:00Z"),
    };
    const regranted = contact({
      optOuts: [optedOut],
      consent: {
        sms: { promotional: { granted: true, source: "START", at: t("2025-05-02T00:00:00Z") } },
      },
    });
    expect(decide(send(), regranted, p, noon).kind).toBe("allow");
    expect(decide(send("transactional"), regranted, p, noon)).toMatchObject({
      reason: "opted_out",
    });
    const olderGrant = contact({
      optOuts: [optedOut],
      consent: { sms: { promotional: { granted: true, at: t("2025-04-01T00:00:00Z") } } },
    });
    expect(decide(send(), olderGrant, p, noon)).toMatchObject({ reason: "opted_out" });
  });

  it("wins over every other reason", () => {
    const c = contact({
      consent: {},
      optOuts: [{ channel: "sms", category: "*", at: 1 }],
      cooldowns: [{ scope: "all", until: noon + 1000 }],
    });
    expect(decide(send(), c, p, t("2025-06-02T23:00:00+08:00"))).toMatchObject({
      reason: "opted_out",
    });
  });
});

describe("consent", () => {
  const c = contact({ consent: {} });

  it("no consent suppresses promotional but not transactional or service", () => {
    expect(decide(send(), c, p, noon)).toEqual({
      kind: "suppress",
      reason: "no_consent",
      detail: "no consent recorded for promotional SMS",
    });
    expect(decide(send("transactional"), c, p, noon)).toEqual({
      kind: "allow",
      zone: "Asia/Shanghai",
    });
    expect(decide(send("service"), c, p, noon).kind).toBe("allow");
  });

  it("consent is per channel", () => {
    const smsOnly = contact({ consent: { sms: { promotional: { granted: true } } } });
    expect(decide(send("promotional", "sms"), smsOnly, p, noon).kind).toBe("allow");
    expect(decide(send("promotional", "email"), smsOnly, p, noon)).toMatchObject({
      reason: "no_consent",
    });
  });

  it("granted: false suppresses promotional", () => {
    const declined = contact({
      consent: { sms: { promotional: { granted: false, source: "signup" } } },
    });
    expect(decide(send(), declined, p, noon)).toMatchObject({
      kind: "suppress",
      reason: "no_consent",
      detail: "declined promotional SMS (signup)",
    });
  });

  it("an explicit decline is honoured even where consent is not required", () => {
    const declined = contact({ consent: { sms: { service: { granted: false } } } });
    expect(decide(send("service"), declined, p, noon)).toMatchObject({ reason: "no_consent" });
    expect(decide(send("transactional"), declined, p, noon).kind).toBe("allow");
  });

  it("consentRequired is policy", () => {
    const strict = policy({ consentRequired: { promotional: true, service: true } });
    expect(decide(send("service"), c, strict, noon)).toMatchObject({ reason: "no_consent" });
    const lax = policy({ consentRequired: { promotional: false } });
    expect(decide(send(), c, lax, noon).kind).toBe("allow");
  });
});
