import { useRef, useState } from "react";
import { isReservedName } from "../../../../engine/format/primitives.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import type { TemplateNames } from "../../../../engine/nodes/template-names.ts";
import { DEFAULT_OPT_OUT_LINES } from "../../../../engine/sms/index.ts";
import { formatVariablePath } from "../../../../engine/template/index.ts";
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
        <span className="field-label">Message</span>
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
        <legend className="sr-only">Insert a variable</legend>
        {suggested.map((v) => (
          <button key={v} type="button" className="chip" onClick={() => insert(`{{ ${v} }}`)}>
            {v}
          </button>
        ))}
        <button type="button" className="chip" onClick={() => insert(TRACKED_LINK)}>
          tracked link
        </button>
      </fieldset>
      <Hint
        text={
          'Liquid: {{ user.firstName | default: "there" }}. A tracked link is how SMS “opened” is measured.'
        }
      />
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
  const linked = send.template.includes("track");
  return (
    <section className="sms-preview" aria-label="SMS preview">
      <div className="sms-preview-head">
        <h4>Preview</h4>
        <Select
          label="Preview locale"
          value={locale}
          options={LOCALES}
          onChange={(v) => setLocale(v === "zh-CN" ? "zh-CN" : "en")}
        />
      </div>
      {!p.ok ? (
        <p className="error" role="alert">
          Template error: {p.error}
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
              <dt>Characters</dt>
              <dd>{p.segments.characters}</dd>
            </div>
            <div>
              <dt>Encoding</dt>
              <dd>{p.segments.encoding}</dd>
            </div>
            <div>
              <dt>Parts</dt>
              <dd className={p.segments.parts > 1 ? "warn" : ""}>
                {p.segments.parts} × {p.segments.perPart}
              </dd>
            </div>
          </dl>
          <ul className="sms-notes">
            {p.optOutAppended && (
              <li>Opt-out line appended ({p.locale}): promotional SMS always carry it.</li>
            )}
            {!p.optOutAppended && send.category !== "promotional" && (
              <li>No opt-out line: {send.category} messages are not marketing.</li>
            )}
            {linked && (
              <li data-testid="sms-link-note">
                Tracked links counted as sent: {p.sampleLink.length} characters (
                {facts.loaded ? p.sampleLink : "the default install's length, until settings load"}
                ).
              </li>
            )}
            {p.nonGsm.length > 0 && <li>UCS-2 because of: {p.nonGsm.slice(0, 8).join(" ")}</li>}
            {p.missing.length > 0 && (
              <li className="warn">
                Not on the sample contact (renders empty): {p.missing.join(", ")}
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
