import { describe, expect, it } from "vitest";
import { normalCdf, twoProportionZTest, verdict } from "../../server/results/stats.ts";

describe("A/B statistics", () => {
  it("normal CDF matches the tables", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalCdf(3)).toBeCloseTo(0.99865, 5);
  });

  it("two-proportion z-test: 100/1000 vs 130/1000 → z ≈ 2.10, p ≈ 0.036", () => {
    const t = twoProportionZTest({ x: 100, n: 1000 }, { x: 130, n: 1000 });
    expect(t?.z).toBeCloseTo(2.103, 3);
    expect(t?.p).toBeCloseTo(0.0355, 4);
    expect(t?.significant).toBe(true);
    expect(t?.lift).toBeCloseTo(0.03, 10);
    // Symmetric: the control ahead gives the negative z and the same p.
    const back = twoProportionZTest({ x: 130, n: 1000 }, { x: 100, n: 1000 });
    expect(back?.z).toBeCloseTo(-2.103, 3);
    expect(back?.p).toBeCloseTo(t?.p ?? 0, 10);
  });

  it("other known values and the cases it cannot test", () => {
    // 200/2000 vs 220/2000: z ≈ 1.0314, p ≈ 0.302 (R: prop.test without continuity correction).
    const t = twoProportionZTest({ x: 200, n: 2000 }, { x: 220, n: 2000 });
    expect(t?.z).toBeCloseTo(1.0314, 3);
    expect(t?.p).toBeCloseTo(0.3024, 3);
    expect(t?.significant).toBe(false);
    expect(twoProportionZTest({ x: 5, n: 50 }, { x: 5, n: 50 })?.z).toBe(0);
    expect(twoProportionZTest({ x: 0, n: 0 }, { x: 3, n: 10 })).toBeNull();
    expect(twoProportionZTest({ x: 0, n: 10 }, { x: 0, n: 10 })).toBeNull();
    expect(twoProportionZTest({ x: 10, n: 10 }, { x: 10, n: 10 })).toBeNull();
  });

  it("says what it means in plain words", () => {
    const a = { x: 100, n: 1000 };
    const b = { x: 130, n: 1000 };
    expect(verdict("A", "B", a, b, twoProportionZTest(a, b))).toBe(
      "B is ahead of A, 96% confidence; significant",
    );
    // 94% confidence: ahead, not yet significant (never rounded up to 95).
    const c = { x: 100, n: 1000 };
    const d = { x: 127, n: 1000 };
    const t = twoProportionZTest(c, d);
    expect(t?.confidence).toBeCloseTo(0.943, 3);
    expect(verdict("control", "B", c, d, t)).toBe(
      "B is ahead of control, 94% confidence; not yet significant",
    );
    expect(verdict("A", "B", b, a, twoProportionZTest(b, a))).toBe(
      "B is behind A, 96% confidence; significant",
    );
    const small = { x: 8, n: 20 };
    const smaller = { x: 1, n: 20 };
    expect(verdict("A", "B", smaller, small, twoProportionZTest(smaller, small))).toMatch(
      /small sample/,
    );
    expect(verdict("A", "B", { x: 0, n: 0 }, b, null)).toBe("No one in A yet");
    const level = twoProportionZTest({ x: 100, n: 1000 }, { x: 102, n: 1000 });
    expect(verdict("A", "B", { x: 100, n: 1000 }, { x: 102, n: 1000 }, level)).toBe(
      "No clear difference between B and A yet",
    );
    expect(
      verdict(
        "A",
        "B",
        { x: 3, n: 30 },
        { x: 3, n: 30 },
        twoProportionZTest({ x: 3, n: 30 }, { x: 3, n: 30 }),
      ),
    ).toBe("B and A convert the same so far");
  });
});
