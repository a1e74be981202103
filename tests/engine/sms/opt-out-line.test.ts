import { describe, expect, it } from "vitest";
import {
  appendOptOut,
  DEFAULT_OPT_OUT_LINES,
  optOutLineFor,
} from "../../../engine/sms/opt-out-line.ts";

describe("optOutLineFor", () => {
  it("exact locale, then language, then fallback", () => {
    expect(optOutLineFor("zh-CN")).toBe("回TD退订");
    expect(optOutLineFor("zh-TW")).toBe("回TD退訂");
    expect(optOutLineFor("zh-SG")).toBe("回TD退订");
    expect(optOutLineFor("en-GB")).toBe("Reply STOP to opt out");
    expect(optOutLineFor("ko-KR")).toBe("Reply STOP to opt out");
    expect(optOutLineFor(null)).toBe("Reply STOP to opt out");
    expect(optOutLineFor(undefined, undefined, "zh")).toBe("回TD退订");
    expect(optOutLineFor("xx", undefined, "de")).toBe(DEFAULT_OPT_OUT_LINES.de);
  });

  it("is case- and separator-insensitive", () => {
    expect(optOutLineFor("zh_tw")).toBe("回TD退訂");
    expect(optOutLineFor("ZH-hant-HK")).toBe("回TD退訂");
  });

  it("workspace overrides win at each specificity level", () => {
    const overrides = { zh: "拒收请回复R" };
    expect(optOutLineFor("zh-CN", overrides)).toBe("拒收请回复R");
    expect(optOutLineFor("en-US", { "en-US": "Txt STOP to end" })).toBe("Txt STOP to end");
    expect(optOutLineFor("en-GB", { "en-US": "Txt STOP to end" })).toBe("Reply STOP to opt out");
    // An override for the fallback language does not beat a default in the contact's language.
    expect(optOutLineFor("zh-CN", { en: "Txt STOP to end" })).toBe("回TD退订");
    expect(optOutLineFor("ko", { en: "Txt STOP to end" })).toBe("Txt STOP to end");
  });
});

describe("appendOptOut", () => {
  it("uses a space before a CJK line (keeps a trailing link intact)", () => {
    expect(appendOptOut("优惠券点击 https://s.example/a1", "回TD退订")).toBe(
      "优惠券点击 https://s.example/a1 回TD退订",
    );
  });

  it("uses a newline before a Latin line", () => {
    expect(appendOptOut("Your cart misses you!  ", "Reply STOP to opt out")).toBe(
      "Your cart misses you!\nReply STOP to opt out",
    );
  });

  it("does not double-append", () => {
    const once = appendOptOut("Sale!", "Reply STOP to opt out");
    expect(appendOptOut(once, "Reply STOP to opt out")).toBe(once);
    expect(appendOptOut("优惠 回ＴＤ退订", "回TD退订")).toBe("优惠 回ＴＤ退订");
  });

  it("handles empty inputs", () => {
    expect(appendOptOut("", "回TD退订")).toBe("回TD退订");
    expect(appendOptOut("Hi", "")).toBe("Hi");
  });
});
