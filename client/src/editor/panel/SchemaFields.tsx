import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Comparison } from "../../../../engine/format/primitives.ts";
import { assertNever } from "../../../../engine/shared/assert-never.ts";
import { currentLocale, msgKey } from "../../i18n/index.ts";
import { defaultValue, type Field, type ObjectField, switchVariant } from "../schema/introspect.ts";
import { ComparisonsInput } from "./ComparisonsInput.tsx";
import { useFormContext } from "./FormContext.ts";
import {
  type Change,
  DurationInput,
  Hint,
  NumberInput,
  Select,
  TextInput,
  TimeInput,
  Toggle,
  WeekdaysInput,
} from "./inputs.tsx";
import { LinesInput } from "./LinesInput.tsx";
import { hintFor, labelFor, optionLabel } from "./labels.ts";

type Obj = Record<string, unknown>;

/** What one item of a list is called ("Arm 1", "+ Add arm"); else the list's own label. */
const ITEM_LABELS: Record<string, string> = {
  arms: msgKey("panel.item.arms"),
  exitOn: msgKey("panel.item.exitOn"),
  params: msgKey("panel.item.params"),
};

/**
 * A per-path hook for the few fields a type renders itself (the send node's message editor):
 * return an element to replace the generic input, or undefined to keep it.
 */
export type Override = (
  path: string,
  value: unknown,
  onChange: Change<unknown>,
) => ReactNode | undefined;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The fields of one object, generic over the schema; unset optional members are removed. */
export function ObjectFields({
  fields,
  value,
  onChange,
  path,
  override,
}: {
  fields: readonly ObjectField[];
  value: Obj;
  onChange: Change<Obj>;
  path: string;
  override?: Override | undefined;
}) {
  return (
    <>
      {fields.map((f) => {
        const fieldPath = path ? `${path}.${f.key}` : f.key;
        const set: Change<unknown> = (v, mergeKey) => {
          const next = { ...value };
          const empty =
            v === undefined || (f.optional && (v === "" || (Array.isArray(v) && v.length === 0)));
          if (empty) delete next[f.key];
          else next[f.key] = v;
          onChange(next, mergeKey);
        };
        const custom = override?.(fieldPath, value[f.key], set);
        if (custom !== undefined) return <div key={f.key}>{custom}</div>;
        return (
          <FieldInput
            key={f.key}
            name={f.key}
            field={f.field}
            optional={f.optional}
            value={value[f.key]}
            onChange={set}
            path={fieldPath}
            override={override}
          />
        );
      })}
    </>
  );
}

export function FieldInput({
  name,
  field,
  optional,
  value,
  onChange,
  path,
  override,
  inGroup = false,
  itemLabel,
}: {
  name: string;
  field: Field;
  optional: boolean;
  value: unknown;
  onChange: Change<unknown>;
  path: string;
  override?: Override | undefined;
  /** Inside its optional group's toggle, which already shows the hint. */
  inGroup?: boolean;
  /** A list item's own label ("Arm 2") instead of the field's. */
  itemLabel?: string;
}) {
  const { t } = useTranslation();
  const ctx = useFormContext();
  const label = itemLabel ?? labelFor(name);
  const hint = inGroup || itemLabel !== undefined ? undefined : hintFor(name);
  const mergeKey = `field:${path}`;

  // Optional groups (a goal, a quiet-hours window, re-entry) are switched on and off as a whole.
  if (optional && (field.kind === "object" || field.kind === "variant")) {
    const on = value !== undefined;
    return (
      <div className={`group${on ? " is-on" : ""}`}>
        <Toggle
          label={label}
          checked={on}
          hint={hint}
          onChange={(checked) =>
            onChange(checked ? defaultValue(field, ctx, name) : undefined, null)
          }
        />
        {on && (
          <div className="group-body">
            <FieldInput
              name={name}
              field={field}
              optional={false}
              value={value}
              onChange={onChange}
              path={path}
              override={override}
              inGroup
              {...(itemLabel === undefined ? {} : { itemLabel })}
            />
          </div>
        )}
      </div>
    );
  }

  switch (field.kind) {
    case "object":
      return (
        <fieldset className="fieldset">
          <legend>{label}</legend>
          <ObjectFields
            fields={field.fields}
            value={isObj(value) ? value : {}}
            onChange={onChange}
            path={path}
            override={override}
          />
        </fieldset>
      );
    case "variant": {
      const current = isObj(value) ? value : {};
      const tag = String(current[field.discriminator] ?? field.options[0]?.value ?? "");
      const option = field.options.find((o) => o.value === tag);
      const by = labelFor(field.discriminator);
      const tagLabel =
        field.discriminator === "kind"
          ? t("panel.variantType", { label })
          : t("panel.variantBy", {
              label,
              by: currentLocale() === "en" ? by.toLowerCase() : by,
            });
      return (
        <div className="variant">
          <Select
            label={tagLabel}
            value={tag}
            hint={hint}
            options={field.options.map((o) => ({ value: o.value, label: optionLabel(o.value) }))}
            onChange={(v) => onChange(switchVariant(field, current, v, ctx), null)}
          />
          {option && (
            <ObjectFields
              fields={option.fields}
              value={current}
              onChange={onChange}
              path={path}
              override={override}
            />
          )}
        </div>
      );
    }
    case "enum": {
      const options = field.values.map((v) => ({ value: v, label: optionLabel(v) }));
      return (
        <Select
          label={label}
          hint={hint}
          value={typeof value === "string" ? value : ""}
          options={optional ? [{ value: "", label: "—" }, ...options] : options}
          onChange={(v) => onChange(v === "" ? undefined : v, null)}
        />
      );
    }
    case "text": {
      const text = typeof value === "string" ? value : "";
      switch (field.format) {
        case "duration":
          return (
            <DurationInput
              label={label}
              value={text}
              onChange={onChange}
              mergeKey={mergeKey}
              hint={hint}
            />
          );
        case "time":
          return <TimeInput label={label} value={text} onChange={onChange} mergeKey={mergeKey} />;
        case "event":
          return (
            <TextInput
              label={label}
              value={text}
              onChange={onChange}
              mergeKey={mergeKey}
              hint={hint}
              list={ctx.eventListId}
              placeholder={t("panel.eventPlaceholder")}
            />
          );
        case "node-ref": {
          // Engagement branches watch a send node: pick from the journey's sends.
          const ids =
            ctx.sendNodeIds.includes(text) || text === ""
              ? ctx.sendNodeIds
              : [text, ...ctx.sendNodeIds];
          return (
            <Select
              label={label}
              value={text}
              hint={ids.length === 0 ? t("panel.addSendFirst") : hint}
              options={[{ value: "", label: "—" }, ...ids.map((id) => ({ value: id, label: id }))]}
              onChange={(v) => onChange(v, null)}
            />
          );
        }
        case "plain":
          return (
            <TextInput
              label={label}
              value={text}
              onChange={onChange}
              mergeKey={mergeKey}
              hint={hint}
              multiline={field.multiline}
            />
          );
        default:
          return assertNever(field.format);
      }
    }
    case "number":
      return (
        <NumberInput
          label={label}
          value={typeof value === "number" ? value : undefined}
          onChange={onChange}
          mergeKey={mergeKey}
          min={field.min}
          max={field.max}
          int={field.int}
          hint={hint}
        />
      );
    case "boolean":
      return (
        <Toggle
          label={label}
          checked={value === true}
          hint={hint}
          onChange={(c) => onChange(optional && !c ? undefined : c, null)}
        />
      );
    case "comparisons":
      return (
        <ComparisonsInput
          label={label}
          value={Array.isArray(value) ? (value as Comparison[]) : []}
          onChange={onChange}
          mergeKey={mergeKey}
          hint={hint}
        />
      );
    case "weekdays":
      return (
        <WeekdaysInput
          label={label}
          hint={hint}
          value={
            Array.isArray(value)
              ? value.filter((d): d is number => typeof d === "number")
              : undefined
          }
          onChange={(v) => onChange(v, null)}
        />
      );
    case "list":
      return (
        <ListInput
          name={name}
          field={field}
          value={Array.isArray(value) ? value : []}
          onChange={onChange}
          path={path}
        />
      );
    case "unsupported":
      return <Hint text={t("panel.unsupported", { label, what: field.what })} />;
    default:
      return assertNever(field);
  }
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Lists: text items one per line (a test list), object items as removable cards. */
function ListInput({
  name,
  field,
  value,
  onChange,
  path,
}: {
  name: string;
  field: Extract<Field, { kind: "list" }>;
  value: readonly unknown[];
  onChange: Change<unknown>;
  path: string;
}) {
  const { t } = useTranslation();
  const ctx = useFormContext();
  const label = labelFor(name);
  const itemName = Object.hasOwn(ITEM_LABELS, name) ? t(ITEM_LABELS[name] as string) : label;
  // "+ Add arm" for a plural list, "+ Add exit when" for one named as a rule (exitOn).
  const addName = name.endsWith("s") ? itemName : label;
  const item = field.item;
  if (item.kind === "text") {
    return (
      <LinesInput
        label={label}
        hint={hintFor(name)}
        value={value.map(String)}
        onChange={onChange}
        mergeKey={`field:${path}`}
      />
    );
  }
  const fresh = (): unknown => {
    const base = defaultValue(item, ctx);
    // Items with a name (split arms) get a distinct one: A, B, C…
    if (isObj(base) && "name" in base) {
      const taken = new Set(value.map((v) => (isObj(v) ? v.name : undefined)));
      base.name = [...LETTERS].find((l) => !taken.has(l)) ?? `arm${value.length + 1}`;
    }
    return base;
  };
  return (
    <fieldset className="fieldset list">
      <legend>{label}</legend>
      {value.map((entry, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items are positional (arm i keeps its edge)
        <div className="list-item" key={i}>
          <FieldInput
            name={name}
            itemLabel={t("panel.listItem", { item: itemName, n: i + 1 })}
            field={item}
            optional={false}
            value={entry}
            path={`${path}.${i}`}
            onChange={(v, mergeKey) =>
              onChange(
                value.map((x, j) => (j === i ? v : x)),
                mergeKey,
              )
            }
          />
          <button
            type="button"
            className="small-button danger"
            disabled={value.length <= field.minItems}
            onClick={() =>
              onChange(
                value.filter((_, j) => j !== i),
                null,
              )
            }
          >
            {t("panel.remove")}
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small-button"
        onClick={() => onChange([...value, fresh()], null)}
      >
        {t("panel.addItem", {
          item: currentLocale() === "en" ? addName.toLowerCase() : addName,
        })}
      </button>
      <Hint text={hintFor(name)} />
    </fieldset>
  );
}
