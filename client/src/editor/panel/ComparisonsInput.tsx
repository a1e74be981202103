import { useTranslation } from "react-i18next";
import {
  COMPARISON_OPS,
  type Comparison,
  type ComparisonOp,
} from "../../../../engine/format/primitives.ts";
import { currentLocale, msgKey } from "../../i18n/index.ts";
import { Hint } from "./inputs.tsx";

type Scalar = string | number | boolean | null;

/** The audience builder's words for the same operators (pages/audiences). */
const OP_LABELS: Record<ComparisonOp, string> = {
  eq: msgKey("conditions.op.eq"),
  neq: msgKey("conditions.op.neq"),
  gt: msgKey("conditions.op.gt"),
  gte: msgKey("conditions.op.gte"),
  lt: msgKey("conditions.op.lt"),
  lte: msgKey("conditions.op.lte"),
  in: msgKey("conditions.op.in"),
  not_in: msgKey("conditions.op.not_in"),
  contains: msgKey("conditions.op.contains"),
  exists: msgKey("conditions.op.exists"),
  not_exists: msgKey("conditions.op.not_exists"),
};

/**
 * What a typed value means: numbers and true/false are typed as such (attributes such as
 * `orders` are numbers in profiles); anything else is text. Quote to force text: "42".
 */
export function parseScalar(text: string): Scalar {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === "true" || t === "false") return t === "true";
  if (t === "null") return null;
  const quoted = /^"(.*)"$/.exec(t);
  return quoted ? (quoted[1] ?? "") : text;
}

export function formatScalar(v: unknown): string {
  if (typeof v === "string")
    return /^-?\d+(\.\d+)?$|^(true|false|null)$/.test(v.trim()) ? `"${v}"` : v;
  return v === undefined ? "" : String(v);
}

function valueFor(op: ComparisonOp, text: string): Comparison["value"] {
  if (op === "exists" || op === "not_exists") return undefined;
  if (op === "in" || op === "not_in") {
    return text
      .split(",")
      .map((s) => parseScalar(s.trim()))
      .filter((s) => s !== "");
  }
  return parseScalar(text);
}

function textOf(c: Comparison): string {
  return Array.isArray(c.value) ? c.value.map(formatScalar).join(", ") : formatScalar(c.value);
}

function build(field: string, op: ComparisonOp, text: string): Comparison {
  const value = valueFor(op, text);
  return value === undefined ? { field, op } : { field, op, value };
}

/** A list of `field op value` rows (event filters, attribute conditions). */
export function ComparisonsInput({
  label,
  value,
  onChange,
  mergeKey,
  hint,
}: {
  label: string;
  value: readonly Comparison[];
  onChange: (value: Comparison[], mergeKey: string | null) => void;
  mergeKey: string;
  hint?: string | undefined;
}) {
  const { t } = useTranslation();
  const set = (i: number, c: Comparison, key: string | null) =>
    onChange(
      value.map((x, j) => (j === i ? c : x)),
      key,
    );
  return (
    <fieldset className="field comparisons">
      <legend className="field-label">{label}</legend>
      {value.length === 0 && <p className="muted small">{t("panel.comparisons.none")}</p>}
      {value.map((c, i) => {
        const n = i + 1;
        const needsValue = c.op !== "exists" && c.op !== "not_exists";
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional; the list is the author's order
          <div className="comparison-row" key={i}>
            <input
              aria-label={t("panel.comparisons.field", { label, n })}
              placeholder={t("panel.comparisons.fieldPlaceholder")}
              value={c.field}
              onChange={(e) =>
                set(i, build(e.target.value, c.op, textOf(c)), `${mergeKey}:${i}:field`)
              }
            />
            <select
              aria-label={t("panel.comparisons.operator", { label, n })}
              value={c.op}
              onChange={(e) =>
                set(i, build(c.field, e.target.value as ComparisonOp, textOf(c)), null)
              }
            >
              {COMPARISON_OPS.map((op) => (
                <option key={op} value={op}>
                  {t(OP_LABELS[op])}
                </option>
              ))}
            </select>
            {needsValue && (
              <input
                aria-label={t("panel.comparisons.value", { label, n })}
                placeholder={
                  c.op === "in" || c.op === "not_in"
                    ? t("panel.comparisons.listPlaceholder")
                    : t("panel.comparisons.valuePlaceholder")
                }
                value={textOf(c)}
                onChange={(e) =>
                  set(i, build(c.field, c.op, e.target.value), `${mergeKey}:${i}:value`)
                }
              />
            )}
            <button
              type="button"
              className="icon-button"
              aria-label={t("panel.comparisons.remove", {
                label: currentLocale() === "en" ? label.toLowerCase() : label,
                n,
              })}
              onClick={() =>
                onChange(
                  value.filter((_, j) => j !== i),
                  null,
                )
              }
            >
              ×
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="small-button"
        onClick={() => onChange([...value, { field: "", op: "eq", value: "" }], null)}
      >
        {t("panel.comparisons.add")}
      </button>
      <Hint text={hint} />
    </fieldset>
  );
}
