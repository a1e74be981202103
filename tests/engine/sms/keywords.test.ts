import { describe, expect, it } from "vitest";
import {
  isOptInReply,
  isOptOutReply,
  normalizeReply,
  OPT_OUT_KEYWORDS,
} from "../../../engine/sms/keywords.ts";

describe("isOptOutReply", () => {
  it("matches every keyword in any case", () => {
    for (const k of OPT_OUT_KEYWORDS) {
      expect(isOptOutReply(k), k).toBe(true);
      expect(isOptOutReply(k.toLowerCase()), k).toBe(true);
    }
    expect(isOptOutReply("Stop")).toBe(true);
    expect(isOptOutReply("unSubscribe")).toBe(true);
  });

  it("tolerates whitespace and surrounding punctuation", () => {
    for (const reply of [
      "  STOP  ",
      "STOP.",
      "stop!",
      "Stop!!!",
      '"td"',
      "退订！",
      "退订。",
      "「退订」",
      "*R*",
      "\nT\n",
    ]) {
      expect(isOptOutReply(reply), reply).toBe(true);
    }
  });

  it("is width-insensitive (NFKC)", () => {
    expect(isOptOutReply("ＳＴＯＰ")).toBe(true);
    expect(isOptOutReply("ｔｄ")).toBe(true);
    expect(isOptOutReply("ＴＤ！")).toBe(true);
    expect(isOptOutReply("　退订　")).toBe(true); // ideographic spaces
  });

  it("accepts traditional 退訂", () => {
    expect(isOptOutReply("退訂")).toBe(true);
  });

  it("does not match free text or near-misses", () => {
    for (const reply of [
      "stop sending me coupons please",
      "please stop",
      "STOP ALL",
      "STOPP",
      "don't stop",
      "TDD",
      "退订吧",
      "我要退订",
      "Thanks",
      "",
      "   ",
      "!!!",
      "S T O P",
    ]) {
      expect(isOptOutReply(reply), reply).toBe(false);
    }
  });
});

describe("isOptInReply", () => {
  it("matches START, UNSTOP, YES only", () => {
    expect(isOptInReply("start")).toBe(true);
    expect(isOptInReply("ＵＮＳＴＯＰ")).toBe(true);
    expect(isOptInReply("Yes!")).toBe(true);
    expect(isOptInReply("yes please")).toBe(false);
    expect(isOptInReply("STOP")).toBe(false);
  });
});

describe("normalizeReply", () => {
  it("folds width, case and edge punctuation", () => {
    expect(normalizeReply("  ｓｔｏｐ。 ")).toBe("STOP");
  });
});
