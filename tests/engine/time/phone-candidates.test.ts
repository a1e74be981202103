import { describe, expect, it } from "vitest";
import { MAX_PHONE_CANDIDATES, phoneCandidates, zoneCountry } from "../../../engine/time/index.ts";

/** Issue #16: the E.164 numbers support's typed phone may mean, before the blind-index lookup. */
describe("phoneCandidates", () => {
  it("reads an explicit country code as exactly that number", () => {
    for (const zone of ["Asia/Shanghai", "Europe/Berlin", "America/New_York"]) {
      expect(phoneCandidates("+1 (310) 555-0101", zone)).toEqual(["+13105550101"]);
      expect(phoneCandidates("+86 138 0013 8000", zone)).toEqual(["+8613800138000"]);
      expect(phoneCandidates("+86 310 555 0101", zone)).toEqual(["+863105550101"]);
    }
  });

  it("reads a national number in the workspace's region, as a CN mobile and as +1", () => {
    expect(phoneCandidates("(310) 555-0101", "America/Los_Angeles")).toEqual(["+13105550101"]);
    expect(phoneCandidates("(310) 555-0101", "UTC")).toEqual(["+13105550101"]);
    // A Shanghai workspace: 0310 is Handan's area code, so both readings are looked up.
    expect(phoneCandidates("3105550101", "Asia/Shanghai")).toEqual([
      "+863105550101",
      "+13105550101",
    ]);
    expect(phoneCandidates("138 0013 8000", "America/New_York")).toEqual(["+8613800138000"]);
    expect(phoneCandidates("13800138000", "UTC")).toEqual(["+8613800138000"]);
    // A Berlin workspace reads a national number as German first.
    expect(phoneCandidates("030 1234567", "Europe/Berlin")).toEqual(["+49301234567"]);
    expect(zoneCountry("Asia/Shanghai")).toBe("CN");
    expect(zoneCountry("Mars/Olympus")).toBeUndefined();
  });

  it("is bounded and rejects what is not a phone", () => {
    const many = phoneCandidates("13105550101", "Europe/Berlin");
    expect(many.length).toBeLessThanOrEqual(MAX_PHONE_CANDIDATES);
    for (const q of [
      "",
      "12345",
      "ava",
      "a@b.c",
      "__proto__",
      "310\u0000555",
      "+",
      "()",
      "9".repeat(41),
      "+1234567890123456",
    ]) {
      expect(phoneCandidates(q, "UTC"), q).toEqual([]);
    }
    expect(phoneCandidates("(310) 555-0199x", "UTC")).toEqual([]);
  });
});
