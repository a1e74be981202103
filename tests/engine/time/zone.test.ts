import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../../engine/time/phone.ts";
import { COUNTRY_ZONES, resolveZone } from "../../../engine/time/resolve-zone.ts";
import { isValidZone } from "../../../engine/time/zone.ts";

const WS = "Asia/Singapore";

describe("resolveZone", () => {
  it("prefers a valid profile zone", () => {
    expect(resolveZone({ timezone: "Europe/Paris", phone: "+8613800138000" }, WS)).toEqual({
      zone: "Europe/Paris",
      source: "profile",
    });
  });

  it("falls back to the phone's country when the profile zone is missing or invalid", () => {
    expect(resolveZone({ phone: "+8613800138000" }, WS)).toEqual({
      zone: "Asia/Shanghai",
      source: "phone",
    });
    expect(resolveZone({ timezone: "Not/AZone", phone: "+442071838750" }, WS)).toEqual({
      zone: "Europe/London",
      source: "phone",
    });
    expect(resolveZone({ timezone: null, phone: "+12125550123" }, WS).zone).toBe(
      "America/New_York",
    );
    expect(resolveZone({ timezone: "", phone: "+14165550123" }, WS).zone).toBe("America/Toronto");
  });

  it("falls back to the workspace zone when nothing else is usable", () => {
    expect(resolveZone({}, WS)).toEqual({ zone: WS, source: "workspace" });
    expect(resolveZone({ timezone: "bogus", phone: "garbage" }, WS)).toEqual({
      zone: WS,
      source: "workspace",
    });
    // Antigua: valid number, country not in the table.
    expect(resolveZone({ phone: "+12684641234" }, WS).source).toBe("workspace");
  });

  it("ships a valid IANA zone for every country in the table, including the required ones", () => {
    const required =
      "CN US GB DE FR JP KR SG HK TW IN AU BR CA MX ES IT NL RU ID TH VN MY PH AE SA TR ZA NG EG";
    for (const c of required.split(" ")) expect(COUNTRY_ZONES[c], c).toBeDefined();
    for (const [c, zone] of Object.entries(COUNTRY_ZONES)) expect(isValidZone(zone), c).toBe(true);
  });
});

describe("normalizePhone", () => {
  it("normalizes to E.164 with the country", () => {
    expect(normalizePhone("+86 138 0013 8000")).toEqual({ e164: "+8613800138000", country: "CN" });
    expect(normalizePhone("138-0013-8000", "CN")).toEqual({
      e164: "+8613800138000",
      country: "CN",
    });
    expect(normalizePhone("+1 (212) 555-0123")).toEqual({ e164: "+12125550123", country: "US" });
    expect(normalizePhone("020 7183 8750", "gb")).toEqual({ e164: "+442071838750", country: "GB" });
  });

  it("returns null for invalid input", () => {
    expect(normalizePhone("")).toBeNull();
    expect(normalizePhone("garbage")).toBeNull();
    expect(normalizePhone("13800138000")).toBeNull(); // national format without a default country
    expect(normalizePhone("+86 123")).toBeNull();
    expect(normalizePhone("12345", "XX")).toBeNull();
  });
});
