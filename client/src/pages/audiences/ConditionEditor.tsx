import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { classify } from "../../../../engine/audience/classify.ts";
import type { Condition, ScoreRange } from "../../../../engine/audience/schema.ts";
import { assertNever } from "../../../../engine/shared/assert-never.ts";
import type { AudienceIssue } from "../../api.ts";
import { CATEGORIES, CHANNELS } from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import { CATEGORY_LABELS, CHANNEL_LABELS } from "../../i18n/labels.ts";
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
import { issueSentence } from "./issue-text.ts";

interface Props {
  value: Condition;
  path: Path;
  issues: readonly AudienceIssue[];
  onChange: (c: Condition) => void;
  onRemove?: () => void;
}

/** One condition of the tree: a group (and / or / not) or a compact leaf row. */
export function ConditionEditor({ value, path, issues, onChange, onRemove }: Props) {
  const { t } = useTranslation();
  const own = issuesAt(issues, path);
  const cls = classify(value);
  if (cls.kind === "and" || cls.kind === "or") {
    const children = cls.kind === "and" ? cls.c.and : cls.c.or;
    const setChildren = (next: Condition[]) =>
      onChange(cls.kind === "and" ? { and: next } : { or: next });
    return (
      <fieldset className={`cond-group cond-${cls.kind}`} data-path={path.join(".")}>
        <legend>
          <label className="sr-only" htmlFor={`${path.join("-")}-mode`}>
            {t("conditions.groupMode")}
          </label>
          <select
            id={`${path.join("-")}-mode`}
            value={cls.kind}
            onChange={(e) =>
              onChange(e.target.value === "and" ? { and: children } : { or: children })
            }
          >
            <option value="and">{t("conditions.allOf")}</option>
            <option value="or">{t("conditions.anyOf")}</option>
          </select>
          {onRemove && <RemoveButton onRemove={onRemove} label={t("conditions.remove.group")} />}
        </legend>
        {children.length === 0 && <p className="muted small">{t("conditions.emptyGroup")}</p>}
        {children.map((child, k) => (
          <ConditionEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity but place
            key={k}
            value={child}
            path={[...path, cls.kind, k]}
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
  if (cls.kind === "not") {
    return (
      <fieldset className="cond-group cond-not">
        <legend>
          <span className="cond-tag">{t("conditions.not")}</span>
          {onRemove && (
            <RemoveButton onRemove={onRemove} label={t("conditions.remove.exclusion")} />
          )}
        </legend>
        <ConditionEditor
          value={cls.c.not}
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
      {onRemove && <RemoveButton onRemove={onRemove} label={t("conditions.remove.condition")} />}
      <IssueList issues={own} />
    </div>
  );
}

function Leaf({ value, onChange }: { value: Condition; onChange: (c: Condition) => void }) {
  const { t } = useTranslation();
  const cls = classify(value);
  switch (cls.kind) {
    case "attribute": {
      const c = cls.c;
      const list = c.op === "in" || c.op === "not_in";
      const noValue = c.op === "exists" || c.op === "not_exists";
      return (
        <>
          <span className="cond-tag">{t("conditions.attribute")}</span>
          <Text
            label={t("conditions.attribute")}
            value={c.attribute}
            onChange={(attribute) => onChange({ ...c, attribute })}
          />
          <Select
            label={t("conditions.operator")}
            value={c.op}
            options={ATTRIBUTE_OPS.map((op) => [op, t(OP_LABELS[op])])}
            onChange={(op) => onChange({ ...c, op })}
          />
          {!noValue && (
            <Text
              label={t("conditions.value")}
              value={scalarText(c.value)}
              placeholder={list ? "a, b, c" : t("conditions.valuePlaceholder")}
              onChange={(text) => onChange({ ...c, value: attributeValue(text, c.op) })}
            />
          )}
        </>
      );
    }
    case "event_count":
    case "event_sum": {
      const c = cls.c;
      return (
        <>
          <span className="cond-tag">
            {cls.kind === "event_count" ? t("conditions.countOf") : t("conditions.sumOf")}
          </span>
          {cls.kind === "event_sum" && (
            <Text
              label={t("conditions.property")}
              value={cls.c.sum.property}
              onChange={(property) => onChange({ ...cls.c, sum: { property } })}
            />
          )}
          <Text
            label={t("conditions.event")}
            value={c.event}
            onChange={(event) => onChange({ ...c, event })}
          />
          <Select
            label={t("conditions.comparison")}
            value={c.op}
            options={AGGREGATE_OPS.map((op) => [op, t(OP_LABELS[op])])}
            onChange={(op) => onChange({ ...c, op })}
          />
          <NumberInput
            label={t("conditions.amount")}
            value={c.value}
            onChange={(v) => onChange({ ...c, value: v })}
          />
          <span className="muted">{t("conditions.within")}</span>
          <DurationText
            label={t("conditions.withinLabel")}
            value={c.within ?? ""}
            placeholder={t("conditions.allTime")}
            onChange={(w) => onChange({ ...c, within: w || undefined })}
          />
        </>
      );
    }
    case "last_between": {
      const c = cls.c;
      return (
        <>
          <span className="cond-tag">{t("conditions.last")}</span>
          <Text
            label={t("conditions.event")}
            value={c.event}
            onChange={(event) => onChange({ ...c, event })}
          />
          <span className="muted">{t("conditions.between")}</span>
          <DurationText
            label={t("conditions.atLeastAgo")}
            value={c.lastBetween.from ?? ""}
            placeholder="P30D"
            onChange={(from) =>
              onChange({ ...c, lastBetween: { ...c.lastBetween, from: from || undefined } })
            }
          />
          <span className="muted">{t("conditions.and")}</span>
          <DurationText
            label={t("conditions.atMostAgo")}
            value={c.lastBetween.to ?? ""}
            placeholder="P90D"
            onChange={(to) =>
              onChange({ ...c, lastBetween: { ...c.lastBetween, to: to || undefined } })
            }
          />
          <span className="muted">{t("conditions.ago")}</span>
        </>
      );
    }
    case "never": {
      const c = cls.c;
      return (
        <>
          <span className="cond-tag">{t("conditions.never")}</span>
          <Text
            label={t("conditions.event")}
            value={c.event}
            onChange={(event) => onChange({ ...c, event })}
          />
          <span className="muted">{t("conditions.within")}</span>
          <DurationText
            label={t("conditions.withinLabel")}
            value={c.within ?? ""}
            placeholder={t("conditions.allTime")}
            onChange={(w) => onChange({ ...c, within: w || undefined })}
          />
        </>
      );
    }
    case "rfm": {
      const c = cls.c;
      const dims = [
        ["r", t("conditions.recency")],
        ["f", t("conditions.frequency")],
        ["m", t("conditions.monetary")],
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
      const c = cls.c;
      return (
        <>
          <span className="cond-tag">{t("conditions.consentsTo")}</span>
          <Select
            label={t("support.channel")}
            value={c.consent.channel}
            options={CHANNELS.map((ch) => [ch, t(CHANNEL_LABELS[ch])])}
            onChange={(channel) => onChange({ consent: { ...c.consent, channel } })}
          />
          <Select
            label={t("support.category")}
            value={c.consent.category}
            options={CATEGORIES.map((cat) => [cat, t(CATEGORY_LABELS[cat])])}
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
      return assertNever(cls);
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
  const { t } = useTranslation();
  const scores = [1, 2, 3, 4, 5] as const;
  const [lo, hi] = value ?? [1, 5];
  const set = (a: number, b: number) => onChange(scoreRange(a, b));
  return (
    <span className="score-range">
      <span className="muted">{label}</span>
      <Select
        label={t("conditions.rangeFrom", { label })}
        value={String(lo)}
        options={scores.map((s) => [String(s), String(s)])}
        onChange={(v) => set(Number(v), hi)}
      />
      <span className="muted">–</span>
      <Select
        label={t("conditions.rangeTo", { label })}
        value={String(hi)}
        options={scores.map((s) => [String(s), String(s)])}
        onChange={(v) => set(lo, Number(v))}
      />
    </span>
  );
}

function AddCondition({ onAdd }: { onAdd: (c: Condition) => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<AddableKind>("rfm");
  const id = useId();
  return (
    <div className="cond-add">
      <label className="sr-only" htmlFor={id}>
        {t("conditions.type")}
      </label>
      <select id={id} value={kind} onChange={(e) => setKind(e.target.value as AddableKind)}>
        {ADDABLE.map((a) => (
          <option key={a.kind} value={a.kind}>
            {t(a.label)}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => onAdd(newCondition(kind))}>
        {t("conditions.addCondition")}
      </button>
    </div>
  );
}

/** `label` is the whole accessible name ("Remove condition"), already in the console's language. */
function RemoveButton({ onRemove, label }: { onRemove: () => void; label: string }) {
  return (
    <button type="button" className="ghost cond-remove" aria-label={label} onClick={onRemove}>
      ×
    </button>
  );
}

function IssueList({ issues }: { issues: readonly AudienceIssue[] }) {
  const { t, i18n } = useTranslation();
  if (issues.length === 0) return null;
  return (
    <ul className="cond-issues">
      {issues.map((i) => (
        <li
          key={`${i.path.join(".")}:${i.code}`}
          className={i.severity === "error" ? "error" : "muted"}
        >
          {issueSentence(t, i18n.language, i)}
        </li>
      ))}
    </ul>
  );
}

/**
 * An ISO 8601 duration box ("P30D"), with the duration said as people say it beside it
 * ("30 days" / "30天"), so nobody has to read `P30D`.
 */
function DurationText(props: {
  label: string;
  value: string;
  placeholder: string;
  onChange: (v: string) => void;
}) {
  const format = useFormat();
  const said = props.value ? format.duration(props.value) : "";
  return (
    <>
      <Text {...props} />
      {said && said !== props.value && <span className="muted small cond-said">{said}</span>}
    </>
  );
}
