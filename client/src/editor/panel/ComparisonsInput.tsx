import {
  COMPARISON_OPS,
  type Comparison,
  type ComparisonOp,
} from "../../../../engine/format/primitives.ts";
import { Hint } from "./inputs.tsx";

type Scalar = string | number | boolean | null;

const OP_LABELS: Record<ComparisonOp, string> = {
  eq: "=",
  neq: "≠",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  exists: "is set",
  not_exists: "is not set",
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
  const set = (i: number, c: Comparison, key: string | null) =>
    onChange(
      value.map((x, j) => (j === i ? c : x)),
      key,
    );
  return (
    <fieldset className="field comparisons">
      <legend className="field-label">{label}</legend>
      {value.length === 0 && <p className="muted small">None yet.</p>}
      {value.map((c, i) => {
        const n = i + 1;
        const needsValue = c.op !== "exists" && c.op !== "not_exists";
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional; the list is the author's order
          <div className="comparison-row" key={i}>
            <input
              aria-label={`${label} ${n} field`}
              placeholder="field, e.g. orders"
              value={c.field}
              onChange={(e) =>
                set(i, build(e.target.value, c.op, textOf(c)), `${mergeKey}:${i}:field`)
              }
            />
            <select
              aria-label={`${label} ${n} operator`}
              value={c.op}
              onChange={(e) =>
                set(i, build(c.field, e.target.value as ComparisonOp, textOf(c)), null)
              }
            >
              {COMPARISON_OPS.map((op) => (
                <option key={op} value={op}>
                  {OP_LABELS[op]}
                </option>
              ))}
            </select>
            {needsValue && (
              <input
                aria-label={`${label} ${n} value`}
                placeholder={c.op === "in" || c.op === "not_in" ? "a, b, c" : "value"}
                value={textOf(c)}
                onChange={(e) =>
                  set(i, build(c.field, c.op, e.target.value), `${mergeKey}:${i}:value`)
                }
              />
            )}
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${label.toLowerCase()} ${n}`}
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
        + Add condition
      </button>
      <Hint text={hint} />
    </fieldset>
  );
}
