import fc from "fast-check";
import { SegmentedMessage } from "sms-segments-calculator";
import { describe, expect, it } from "vitest";
import { countSegments } from "../../../engine/sms/index.ts";

const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

describe("countSegments fast path", () => {
  it("agrees with the library on GSM-7 basic text of any length", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BASIC), { maxLength: 800 }), (chars) => {
        const text = chars.join("");
        const lib = new SegmentedMessage(text);
        const ours = countSegments(text);
        expect(ours.encoding).toBe("GSM-7");
        expect(lib.encodingName).toBe("GSM-7");
        expect(ours.parts).toBe(text.length === 0 ? 0 : lib.segmentsCount);
        expect(ours.characters).toBe(Math.round(lib.messageSize / 7));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("leaves extension characters and non-GSM text to the library", () => {
    expect(countSegments(`${"a".repeat(159)}€`)).toMatchObject({
      encoding: "GSM-7",
      characters: 161,
      parts: 2,
    });
    expect(countSegments("`")).toMatchObject({ encoding: "UCS-2" });
    expect(countSegments("你好")).toMatchObject({ encoding: "UCS-2", characters: 2, parts: 1 });
  });
});
