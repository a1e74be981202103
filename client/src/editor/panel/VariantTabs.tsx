import "./variants.css";
import { type ReactNode, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { type SendNode, type SendSpec, SendSpecSchema } from "../../../../engine/nodes/send.ts";
import {
  DEFAULT_VARIANT,
  MAX_VARIANTS,
  type Variant,
  VariantSchema,
  variantSpec,
} from "../../../../engine/nodes/send-variants.ts";
import { objectFields } from "../schema/introspect.ts";
import type { Change } from "./inputs.tsx";
import { ObjectFields } from "./SchemaFields.tsx";
import { useVariantTab } from "./variant-tab.ts";

/** The send's own fields (its default content) and a variant's (its locale is its tab). */
const SEND_FIELDS = objectFields(SendSpecSchema, ["variants"]);
const VARIANT_FIELDS = objectFields(VariantSchema, ["locale"]);

/** Offered when adding a variant; any BCP 47 tag may be typed. */
const SUGGESTED_LOCALES = [
  "zh-CN",
  "en",
  "en-US",
  "en-GB",
  "zh-TW",
  "zh-HK",
  "ja",
  "ko",
  "es",
  "fr",
  "de",
  "pt-BR",
];

/** The send node's field hook (nodes/types/send.tsx), asked for a node and a path. */
type SendField = (
  node: SendNode,
  path: string,
  value: unknown,
  onChange: Change<unknown>,
) => ReactNode | undefined;

/** "zh-cn" → "zh-CN"; null for a string that is not a BCP 47 tag. */
function canonical(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag.trim())[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * A send's content per locale: a "Default" tab with the send's own fields and a tab per
 * variant with the same content fields, each through the send's own field hook (so a variant's
 * template has the same editor and chips, and another channel's fields stay hidden). A new
 * variant starts as a copy of the default content, to translate. The tab chosen here is the one
 * the preview, the parts counter and the test send show (variant-tab.ts).
 */
export function SendContentFields({
  node,
  value,
  onChange,
  field,
}: {
  node: SendNode;
  value: unknown;
  onChange: Change<unknown>;
  field: SendField;
}) {
  const { t } = useTranslation();
  const send = (typeof value === "object" && value !== null ? value : node.send) as SendSpec;
  const variants = send.variants ?? [];
  const [tab, setTab] = useVariantTab(node.id);
  const index = variants.findIndex((v) => v.locale === tab);
  const current = index >= 0 ? tab : DEFAULT_VARIANT;
  const panelId = useId();

  const setVariants = (next: Variant[], mergeKey: string | null) => {
    const { variants: _old, ...rest } = send;
    onChange(next.length > 0 ? { ...rest, variants: next } : rest, mergeKey);
  };
  const add = (locale: string) => {
    const { channel: _c, category: _k, locale: _l, variants: _v, ...content } = send;
    setVariants([...variants, { ...content, locale }], null);
    setTab(locale);
  };
  const variant = index >= 0 ? variants[index] : undefined;

  return (
    <fieldset className="fieldset variant-fields">
      <legend>{t("variants.legend")}</legend>
      <div className="variant-tabs" role="tablist" aria-label={t("variants.tabs")}>
        {[DEFAULT_VARIANT, ...variants.map((v) => v.locale)].map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            className="variant-tab"
            aria-selected={name === current}
            aria-controls={panelId}
            onClick={() => setTab(name)}
          >
            {name === DEFAULT_VARIANT ? t("variants.default") : name}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={panelId}
        aria-label={current === DEFAULT_VARIANT ? t("variants.default") : current}
      >
        {variant === undefined ? (
          <>
            {variants.length > 0 && <p className="field-hint muted">{t("variants.defaultHint")}</p>}
            <ObjectFields
              fields={SEND_FIELDS}
              value={send}
              onChange={onChange}
              path="send"
              override={(p, v, c) => field(node, p, v, c)}
            />
          </>
        ) : (
          <>
            <p className="field-hint muted">
              {t("variants.variantHint", { locale: variant.locale })}
            </p>
            <ObjectFields
              fields={VARIANT_FIELDS}
              value={variant}
              onChange={(next, mergeKey) =>
                setVariants(
                  variants.map((x, j) =>
                    j === index ? ({ ...next, locale: x.locale } as Variant) : x,
                  ),
                  mergeKey,
                )
              }
              path={`send.variants.${index}`}
              // As the send it becomes: its channel decides which fields show and how.
              override={(p, v, c) =>
                field(
                  { ...node, send: variantSpec(send, variant) },
                  p.replace(`send.variants.${index}`, "send"),
                  v,
                  c,
                )
              }
            />
            <button
              type="button"
              className="small-button danger"
              onClick={() => {
                setVariants(
                  variants.filter((_, j) => j !== index),
                  null,
                );
                setTab(DEFAULT_VARIANT);
              }}
            >
              {t("variants.remove", { locale: variant.locale })}
            </button>
          </>
        )}
      </div>
      {variants.length < MAX_VARIANTS && (
        <AddVariant taken={variants.map((v) => v.locale)} onAdd={add} />
      )}
    </fieldset>
  );
}

/** Pick a suggested locale or type any BCP 47 tag; refused: a bad tag, one already there. */
function AddVariant({
  taken,
  onAdd,
}: {
  taken: readonly string[];
  onAdd: (locale: string) => void;
}) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const listId = useId();
  const inputId = useId();
  const lower = new Set(taken.map((l) => l.toLowerCase()));
  const submit = () => {
    const tag = canonical(typed);
    if (tag === null) return setError(t("variants.badLocale", { locale: typed }));
    if (lower.has(tag.toLowerCase())) return setError(t("variants.duplicate", { locale: tag }));
    setError(null);
    setTyped("");
    onAdd(tag);
  };
  return (
    <div className="variant-add">
      <label className="field-label" htmlFor={inputId}>
        {t("variants.newLocale")}
      </label>
      <input
        id={inputId}
        list={listId}
        value={typed}
        placeholder="zh-CN"
        onChange={(e) => setTyped(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            submit();
          }
        }}
      />
      <datalist id={listId}>
        {SUGGESTED_LOCALES.filter((l) => !lower.has(l.toLowerCase())).map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <button
        type="button"
        className="small-button"
        disabled={typed.trim() === ""}
        onClick={submit}
      >
        {t("variants.add")}
      </button>
      {error && (
        <span className="field-hint error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
