import { useId, useState } from "react";
import { classify } from "../../../../engine/audience/classify.ts";
import type { Condition, ScoreRange } from "../../../../engine/audience/schema.ts";
import { assertNever } from "../../../../engine/shared/assert-never.ts";
import type { AudienceIssue } from "../../api.ts";
import { CATEGORIES, CHANNELS } from "../../api.ts";
import { NumberInput, Select, Text } from "./ConditionInputs.tsx";
import {
  ADDABLE,
  type AddableKind,
  AGGREGATE_OPS,
  ATTRIBUTE_OPS,
  attributeValue,
  issuesAt,
  newCondition,
  OP_LABELS,
  type Path,
  scalarText,
  scoreRange,
} from "./conditions.ts";

interface Props {
  value: Condition;
  path: Path;
  issues: readonly AudienceIssue[];
  onChange: (c: Condition) => void;
  onRemove?: () => void;
}

/** One condition of the tree: a group (and / or / not) or a compact leaf row. */
export function ConditionEditor({ value, path, issues, onChange, onRemove }: Props) {
  const own = issuesAt(issues, path);
  const t = classify(value);
  if (t.kind === "and" || t.kind === "or") {
    const children = t.kind === "and" ? t.c.and : t.c.or;
    const setChildren = (next: Condition[]) =>
      onChange(t.kind === "and" ? { and: next } : { or: next });
    return (
      <fieldset className={`cond-group cond-${t.kind}`} data-path={path.join(".")}>
        <legend>
          <label className="sr-only" htmlFor={`${path.join("-")}-mode`}>
            Group mode
          </label>
          <select
            id={`${path.join("-")}-mode`}
            value={t.kind}
            onChange={(e) =>
              onChange(e.target.value === "and" ? { and: children } : { or: children })
            }
          >
            <option value="and">All of</option>
            <option value="or">Any of</option>
          </select>
          {onRemove && <RemoveButton onRemove={onRemove} label="group" />}
        </legend>
        {children.length === 0 && (
          <p className="muted small">Empty group: add a condition below.</p>
        )}
        {children.map((child, k) => (
          <ConditionEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity but place
            key={k}
            value={child}
            path={[...path, t.kind, k]}
            issues={issues}
            onChange={(c) => setChildren(children.map((x, j) => (j === k ? c : x)))}
            onRemove={() => setChildren(children.filter((_, j) => j !== k))}
          />
        ))}
        <AddCondition onAdd={(c) => setChildren([...children, c])} />
        <IssueList issues={own} />
      </fieldset>
    );
  }
  if (t.kind === "not") {
    return (
      <fieldset className="cond-group cond-not">
        <legend>
          <span className="cond-tag">Not</span>
          {onRemove && <RemoveButton onRemove={onRemove} label="exclusion" />}
        </legend>
        <ConditionEditor
          value={t.c.not}
          path={[...path, "not"]}
          issues={issues}
          onChange={(c) => onChange({ not: c })}
        />
        <IssueList issues={own} />
      </fieldset>
    );
  }
  return (
    <div className={`cond-row${own.length > 0 ? " has-issue" : ""}`}>
      <Leaf value={value} onChange={onChange} />
      {onRemove && <RemoveButton onRemove={onRemove} label="condition" />}
      <IssueList issues={own} />
    </div>
  );
}

function Leaf({ value, onChange }: { value: Condition; onChange: (c: Condition) => void }) {
  const t = classify(value);
  switch (t.kind) {
    case "attribute": {
      const c = t.c;
      const list = c.op === "in" || c.op === "not_in";
      const noValue = c.op === "exists" || c.op === "not_exists";
      return (
        <>
          <span className="cond-tag">Attribute</span>
          <Text
            label="Attribute"
            value={c.attribute}
            onChange={(attribute) => onChange({ ...c, attribute })}
          />
          <Select
            label="Operator"
            value={c.op}
            options={ATTRIBUTE_OPS.map((op) => [op, OP_LABELS[op]])}
            onChange={(op) => onChange({ ...c, op })}
          />
          {!noValue && (
            <Text
              label="Value"
              value={scalarText(c.value)}
              placeholder={list ? "a, b, c" : "value"}
              onChange={(text) => onChange({ ...c, value: attributeValue(text, c.op) })}
            />
          )}
        </>
      );
    }
    case "event_count":
    case "event_sum": {
      const c = t.c;
      return (
        <>
          <span className="cond-tag">{t.kind === "event_count" ? "Count of" : "Sum of"}</span>
          {t.kind === "event_sum" && (
            <Text
              label="Property"
              value={t.c.sum.property}
              onChange={(property) => onChange({ ...t.c, sum: { property } })}
            />
          )}
          <Text label="Event" value={c.event} onChange={(event) => onChange({ ...c, event })} />
          <Select
            label="Comparison"
            value={c.op}
            options={AGGREGATE_OPS.map((op) => [op, OP_LABELS[op]])}
            onChange={(op) => onChange({ ...c, op })}
          />
          <NumberInput
            label="Amount"
            value={c.value}
            onChange={(v) => onChange({ ...c, value: v })}
          />
          <span className="muted">within</span>
          <Text
            label="Within"
            value={c.within ?? ""}
            placeholder="all time"
            onChange={(w) => onChange({ ...c, within: w || undefined })}
          />
        </>
      );
    }
    case "last_between": {
      const c = t.c;
      return (
        <>
          <span className="cond-tag">Last</span>
          <Text label="Event" value={c.event} onChange={(event) => onChange({ ...c, event })} />
          <span className="muted">between</span>
          <Text
            label="At least ago"
            value={c.lastBetween.from ?? ""}
            placeholder="P30D"
            onChange={(from) =>
              onChange({ ...c, lastBetween: { ...c.lastBetween, from: from || undefined } })
            }
          />
          <span className="muted">and</span>
          <Text
            label="At most ago"
            value={c.lastBetween.to ?? ""}
            placeholder="P90D"
            onChange={(to) =>
              onChange({ ...c, lastBetween: { ...c.lastBetween, to: to || undefined } })
            }
          />
          <span className="muted">ago</span>
        </>
      );
    }
    case "never": {
      const c = t.c;
      return (
        <>
          <span className="cond-tag">Never</span>
          <Text label="Event" value={c.event} onChange={(event) => onChange({ ...c, event })} />
          <span className="muted">within</span>
          <Text
            label="Within"
            value={c.within ?? ""}
            placeholder="all time"
            onChange={(w) => onChange({ ...c, within: w || undefined })}
          />
        </>
      );
    }
    case "rfm": {
      const c = t.c;
      const dims = [
        ["r", "Recency"],
        ["f", "Frequency"],
        ["m", "Monetary"],
      ] as const;
      return (
        <>
          <span className="cond-tag">RFM</span>
          {dims.map(([key, label]) => (
            <ScoreRangeInput
              key={key}
              label={label}
              value={c.rfm[key]}
              onChange={(range) => onChange({ rfm: { ...c.rfm, [key]: range } })}
            />
          ))}
        </>
      );
    }
    case "consent": {
      const c = t.c;
      return (
        <>
          <span className="cond-tag">Consents to</span>
          <Select
            label="Channel"
            value={c.consent.channel}
            options={CHANNELS.map((ch) => [ch, ch])}
            onChange={(channel) => onChange({ consent: { ...c.consent, channel } })}
          />
          <Select
            label="Category"
            value={c.consent.category}
            options={CATEGORIES.map((cat) => [cat, cat])}
            onChange={(category) => onChange({ consent: { ...c.consent, category } })}
          />
        </>
      );
    }
    case "and":
    case "or":
    case "not":
      return null;
    default:
      return assertNever(t);
  }
}

function ScoreRangeInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: ScoreRange | undefined;
  onChange: (range: ScoreRange | undefined) => void;
}) {
  const scores = [1, 2, 3, 4, 5] as const;
  const [lo, hi] = value ?? [1, 5];
  const set = (a: number, b: number) => onChange(scoreRange(a, b));
  return (
    <span className="score-range">
      <span className="muted">{label}</span>
      <Select
        label={`${label} from`}
        value={String(lo)}
        options={scores.map((s) => [String(s), String(s)])}
        onChange={(v) => set(Number(v), hi)}
      />
      <span className="muted">–</span>
      <Select
        label={`${label} to`}
        value={String(hi)}
        options={scores.map((s) => [String(s), String(s)])}
        onChange={(v) => set(lo, Number(v))}
      />
    </span>
  );
}

function AddCondition({ onAdd }: { onAdd: (c: Condition) => void }) {
  const [kind, setKind] = useState<AddableKind>("rfm");
  const id = useId();
  return (
    <div className="cond-add">
      <label className="sr-only" htmlFor={id}>
        Condition type
      </label>
      <select id={id} value={kind} onChange={(e) => setKind(e.target.value as AddableKind)}>
        {ADDABLE.map((a) => (
          <option key={a.kind} value={a.kind}>
            {a.label}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => onAdd(newCondition(kind))}>
        Add condition
      </button>
    </div>
  );
}

function RemoveButton({ onRemove, label }: { onRemove: () => void; label: string }) {
  return (
    <button
      type="button"
      className="ghost cond-remove"
      aria-label={`Remove ${label}`}
      onClick={onRemove}
    >
      ×
    </button>
  );
}

function IssueList({ issues }: { issues: readonly AudienceIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul className="cond-issues">
      {issues.map((i) => (
        <li
          key={`${i.path.join(".")}:${i.code}`}
          className={i.severity === "error" ? "error" : "muted"}
        >
          {i.message}
        </li>
      ))}
    </ul>
  );
}
