import { assertNever } from "../../engine/shared/assert-never.ts";
/**
 * A/B statistics for results, pure (no I/O): the two-proportion z-test on conversion between an
 * arm and the control, and the plain-words verdict the results page prints next to the counts.
 *
 * The pooled-variance z-test is the textbook test for "did B convert better than A" on counts
 * of converted out of assigned. It is a normal approximation: with fewer than ~5 conversions
 * or non-conversions in an arm the p-value is rough, so the verdict says the sample is small
 * instead of quoting a confidence.
 */

/** Standard normal CDF, Φ(x). erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export interface Proportion {
  /** Converted. */
  x: number;
  /** Out of (assigned to the arm). */
  n: number;
}

export interface ZTest {
  /** Positive when the variant converts better than the control. */
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** 1 − p: "94% confidence" in the verdict. */
  confidence: number;
  /** At the 95% level (p < 0.05). */
  significant: boolean;
  /** Difference in conversion rate, variant − control (absolute, 0.03 = 3 points). */
  lift: number;
}

export const SIGNIFICANCE = 0.05;

/**
 * Pooled two-proportion z-test, variant against control. Null when it cannot be computed: an
 * empty arm, or nobody / everybody converted in both (no variance to test against).
 */
export function twoProportionZTest(control: Proportion, variant: Proportion): ZTest | null {
  if (control.n <= 0 || variant.n <= 0) return null;
  const p1 = control.x / control.n;
  const p2 = variant.x / variant.n;
  const pooled = (control.x + variant.x) / (control.n + variant.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / variant.n));
  if (!(se > 0)) return null;
  const z = (p2 - p1) / se;
  const p = Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  return { z, p, confidence: 1 - p, significant: p < SIGNIFICANCE, lift: p2 - p1 };
}

/** Conversions or non-conversions below this in either arm: too few for the approximation. */
const MIN_EVENTS = 5;

/**
 * The verdict as facts: what it concluded and the numbers it rests on, so the console can say
 * it in the operator's language (issue #20); `verdict` below says it in English for the CSV.
 * - `empty`: nobody in `emptyArm` yet; `untestable`: no variance to test; `same`: equal rates;
 * - `unclear`: below 80% confidence; `ahead` / `behind`: the variant against the control.
 */
export interface VerdictFacts {
  kind: "empty" | "untestable" | "same" | "unclear" | "ahead" | "behind";
  control: string;
  variant: string;
  emptyArm: string | null;
  /** Confidence floored to whole percents, so "95%" never appears for p = 0.051; null unless tested. */
  percent: number | null;
  significant: boolean;
  /** Conversions or non-conversions below MIN_EVENTS in either arm: the counts matter more. */
  smallSample: boolean;
}

export function verdictFacts(
  controlName: string,
  variantName: string,
  control: Proportion,
  variant: Proportion,
  test: ZTest | null,
): VerdictFacts {
  const facts: VerdictFacts = {
    kind: "untestable",
    control: controlName,
    variant: variantName,
    emptyArm: null,
    percent: null,
    significant: false,
    smallSample: [control, variant].some((a) => a.x < MIN_EVENTS || a.n - a.x < MIN_EVENTS),
  };
  if (control.n === 0 || variant.n === 0)
    return { ...facts, kind: "empty", emptyArm: control.n === 0 ? controlName : variantName };
  if (!test) return facts;
  const rate = (a: Proportion) => a.x / a.n;
  if (rate(variant) === rate(control)) return { ...facts, kind: "same" };
  const percent = Math.floor(test.confidence * 100);
  // Below 80% the direction is mostly noise; "ahead, 12% confidence" reads as a finding.
  if (percent < 80) return { ...facts, kind: "unclear", percent };
  return {
    ...facts,
    kind: rate(variant) > rate(control) ? "ahead" : "behind",
    percent,
    significant: test.significant,
  };
}

/**
 * "B is ahead, 94% confidence; not yet significant." — what a marketer reads next to the
 * counts, in English (the CSV; the console words `verdictFacts` itself).
 */
export function verdict(
  controlName: string,
  variantName: string,
  control: Proportion,
  variant: Proportion,
  test: ZTest | null,
): string {
  const f = verdictFacts(controlName, variantName, control, variant, test);
  switch (f.kind) {
    case "empty":
      return `No one in ${f.emptyArm} yet`;
    case "untestable":
      return `No difference to test yet (${variantName} vs ${controlName})`;
    case "same":
      return `${variantName} and ${controlName} convert the same so far`;
    case "unclear":
      return `No clear difference between ${variantName} and ${controlName} yet`;
    case "ahead":
    case "behind": {
      const direction = f.kind === "ahead" ? "ahead of" : "behind";
      const tail = f.significant ? "significant" : "not yet significant";
      const sample = f.smallSample ? " (small sample: counts matter more than the rate)" : "";
      return `${variantName} is ${direction} ${controlName}, ${f.percent}% confidence; ${tail}${sample}`;
    }
    default:
      return assertNever(f.kind);
  }
}
