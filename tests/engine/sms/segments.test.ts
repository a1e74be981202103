import { describe, expect, it } from "vitest";
import { countSegments, nonGsmCharacters } from "../../../engine/sms/segments.ts";

describe("countSegments", () => {
  it("GSM-7: 160 chars = 1 part, 161 = 2 parts of 153", () => {
    expect(countSegments("a".repeat(160))).toEqual({
      encoding: "GSM-7",
      characters: 160,
      parts: 1,
      perPart: 160,
    });
    expect(countSegments("a".repeat(161))).toEqual({
      encoding: "GSM-7",
      characters: 161,
      parts: 2,
      perPart: 153,
    });
    expect(countSegments("a".repeat(306)).parts).toBe(2);
    expect(countSegments("a".repeat(307)).parts).toBe(3);
  });

  it("extended GSM characters (€ ^ { } [ ] ~ \\ |) count 2 but stay GSM-7", () => {
    expect(countSegments("€")).toMatchObject({ encoding: "GSM-7", characters: 2, parts: 1 });
    expect(countSegments("^")).toMatchObject({ encoding: "GSM-7", characters: 2 });
    expect(countSegments("{}[]~\\|")).toMatchObject({ encoding: "GSM-7", characters: 14 });
    expect(countSegments("€".repeat(80)).parts).toBe(1);
    expect(countSegments("€".repeat(81))).toMatchObject({ characters: 162, parts: 2 });
    expect(countSegments(`${"a".repeat(159)}€`)).toMatchObject({ characters: 161, parts: 2 });
  });

  it("one Chinese character forces UCS-2; 70 = 1 part, 71 = 2 parts of 67", () => {
    expect(countSegments(`Hello 中`)).toMatchObject({ encoding: "UCS-2", characters: 7, parts: 1 });
    expect(countSegments("中".repeat(70))).toEqual({
      encoding: "UCS-2",
      characters: 70,
      parts: 1,
      perPart: 70,
    });
    expect(countSegments("中".repeat(71))).toEqual({
      encoding: "UCS-2",
      characters: 71,
      parts: 2,
      perPart: 67,
    });
    expect(countSegments("中".repeat(134)).parts).toBe(2);
    expect(countSegments("中".repeat(135)).parts).toBe(3);
  });

  it("emoji are surrogate pairs: 2 UCS-2 units each", () => {
    expect(countSegments("😀")).toMatchObject({ encoding: "UCS-2", characters: 2, parts: 1 });
    expect(countSegments("😀".repeat(35))).toMatchObject({ characters: 70, parts: 1 });
    expect(countSegments("😀".repeat(36))).toMatchObject({ characters: 72, parts: 2 });
  });

  it("empty body is zero parts", () => {
    expect(countSegments("")).toEqual({ encoding: "GSM-7", characters: 0, parts: 0, perPart: 160 });
  });

  it("a realistic Chinese promo with opt-out line fits in one part", () => {
    const body =
      "【喵铺】您有一张满200减50的优惠券48小时后过期，点击 https://s.example/a1 使用 回TD退订";
    const r = countSegments(body);
    expect(r.encoding).toBe("UCS-2");
    expect(r.characters).toBe(body.length);
    expect(r.parts).toBe(1);
  });

  it("lists the characters that force UCS-2", () => {
    expect(nonGsmCharacters("Price: 5€ – now")).toEqual(["–"]);
  });
});
