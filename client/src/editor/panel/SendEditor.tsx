import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { isReservedName } from "../../../../engine/format/primitives.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import type { TemplateNames } from "../../../../engine/nodes/template-names.ts";
import { DEFAULT_OPT_OUT_LINES } from "../../../../engine/sms/index.ts";
import { formatVariablePath } from "../../../../engine/template/index.ts";
import { CATEGORY_LABELS } from "../../i18n/labels.ts";
import { useSendFactsContext } from "../send-facts.ts";
import { type Change, Hint, Select } from "./inputs.tsx";
import { type PreviewLocale, previewSms } from "./sms-preview.ts";

/** Chips before the workspace's names are known, or where it has none yet. */
const SUGGESTED = [
  "user.firstName",
  "user.city",
  "user.coupon",
  "user.topItem",
  "event.sku",
  "event.item",
  "journey.name",
];
const TRACKED_LINK = '{{ "https://shop.example.com" | track }}';
const LIQUID_EXAMPLE = '{{ user.firstName | default: "there" }}';

/**
 * Variables to insert: the attributes contacts of this workspace have and the trigger event's
 * properties (what validation checks against), so a chip never inserts a warning.
 */
function chipsFor(names: TemplateNames | undefined): string[] {
  const user = (names?.user ?? []).filter((a) => !isReservedName(a));
  if (user.length === 0) return SUGGESTED;
  const event = Object.values(names?.events ?? {})[0] ?? [];
  return [
    ...user.slice(0, 8).map((a) => formatVariablePath(["user", a])),
    ...event
      .filter((p) => !isReservedName(p))
      .slice(0, 4)
      .map((p) => formatVariablePath(["event", p])),
    "journey.name",
  ];
}

/** The message editor: the template, variables to insert, and (for SMS) the live preview. */
export function TemplateEditor({
  value,
  onChange,
  mergeKey,
}: {
  value: string;
  onChange: Change<string>;
  mergeKey: string;
}) {
  const { t } = useTranslation();
  const area = useRef<HTMLTextAreaElement>(null);
  const suggested = chipsFor(useSendFactsContext().templateNames);
  function insert(snippet: string) {
    const el = area.current;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    onChange(value.slice(0, start) + snippet + value.slice(end), null);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + snippet.length, start + snippet.length);
    });
  }
  return (
    <div className="template-editor">
      <label className="field">
        <span className="field-label">{t("variants.message.label")}</span>
        <textarea
          ref={area}
          className="template-input"
          rows={5}
          value={value}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value, mergeKey)}
        />
      </label>
      <fieldset className="variable-chips">
        <legend className="sr-only">{t("variants.message.insert")}</legend>
        {suggested.map((v) => (
          <button key={v} type="button" className="chip" onClick={() => insert(`{{ ${v} }}`)}>
            {v}
          </button>
        ))}
        <button type="button" className="chip" onClick={() => insert(TRACKED_LINK)}>
          {t("variants.message.trackedLink")}
        </button>
      </fieldset>
      <Hint text={t("variants.message.hint", { example: LIQUID_EXAMPLE })} />
    </div>
  );
}

const LOCALES: { value: PreviewLocale; label: string }[] = [
  { value: "en", label: "English (en)" },
  { value: "zh-CN", label: "简体中文 (zh-CN)" },
];

/** The SMS as a sample contact gets it: opt-out line, characters, encoding, parts. */
export function SmsPreviewCard({
  send,
  journey,
}: {
  send: SendSpec;
  journey: { id: string; name: string };
}) {
  const [locale, setLocale] = useState<PreviewLocale>(send.locale === "zh-CN" ? "zh-CN" : "en");
  const facts = useSendFactsContext();
  const p = previewSms(send, locale, journey, facts);
  const { t } = useTranslation();
  const linked = send.template.includes("track");
  return (
    <section className="sms-preview" aria-label={t("variants.preview.region")}>
      <div className="sms-preview-head">
        <h4>{t("variants.preview.title")}</h4>
        <Select
          label={t("variants.preview.locale")}
          value={locale}
          options={LOCALES}
          onChange={(v) => setLocale(v === "zh-CN" ? "zh-CN" : "en")}
        />
      </div>
      {!p.ok ? (
        <p className="error" role="alert">
          {t("variants.preview.error", { error: p.error })}
        </p>
      ) : (
        <>
          <div className="phone">
            <div className="bubble" data-testid="sms-body">
              {p.body}
            </div>
          </div>
          <dl className="sms-stats" data-testid="sms-stats">
            <div>
              <dt>{t("variants.preview.characters")}</dt>
              <dd>{p.segments.characters}</dd>
            </div>
            <div>
              <dt>{t("variants.preview.encoding")}</dt>
              <dd>{p.segments.encoding}</dd>
            </div>
            <div>
              <dt>{t("variants.preview.parts")}</dt>
              <dd className={p.segments.parts > 1 ? "warn" : ""}>
                {p.segments.parts} × {p.segments.perPart}
              </dd>
            </div>
          </dl>
          <ul className="sms-notes">
            {p.optOutAppended && <li>{t("variants.preview.optOut", { locale: p.locale })}</li>}
            {!p.optOutAppended && send.category !== "promotional" && (
              <li>
                {t("variants.preview.noOptOut", { category: t(CATEGORY_LABELS[send.category]) })}
              </li>
            )}
            {linked && (
              <li data-testid="sms-link-note">
                {t("variants.preview.links", {
                  count: p.sampleLink.length,
                  link: facts.loaded ? p.sampleLink : t("variants.preview.defaultLink"),
                })}
              </li>
            )}
            {p.nonGsm.length > 0 && (
              <li>{t("variants.preview.ucs2", { chars: p.nonGsm.slice(0, 8).join(" ") })}</li>
            )}
            {p.missing.length > 0 && (
              <li className="warn">
                {t("variants.preview.missing", { names: p.missing.join(", ") })}
              </li>
            )}
          </ul>
        </>
      )}
    </section>
  );
}

/** Locales with a known opt-out line, plus "the contact's own". */
export const LOCALE_OPTIONS = [
  { value: "", label: "The contact's locale" },
  ...Object.keys(DEFAULT_OPT_OUT_LINES).map((l) => ({ value: l, label: l })),
];
