import { type ReactNode, useId } from "react";
import { useTranslation } from "react-i18next";
import type { JourneyNode } from "../../../../engine/format/journey.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import { templateUser } from "../../../../engine/sms/index.ts";
import {
  composeTemplateSms,
  countChinaSms,
  hasLink,
  PART_LIMIT,
  placeholders,
  SINGLE_LIMIT,
} from "../../../../engine/sms-template/index.ts";
import type { Change } from "./inputs.tsx";
import { SAMPLE_CONTACTS, SAMPLE_EVENT } from "./sms-preview.ts";

/**
 * The template-SMS half of the send form (Aliyun and China's other template providers). The
 * code, sign name and parameters come from the schema like every field (send.smsTemplate);
 * the group shows on SMS sends only, and while it is on the message is the provider's
 * approved text (no Liquid chips, no tracked link, no opt-out locale: the provider appends
 * nothing and the approved text carries its own opt-out wording). The preview fills the
 * approved text with a sample contact's values through the engine's own composeTemplateSms
 * and counts as the providers count.
 */
export function smsTemplateFieldOverride(
  node: JourneyNode,
  path: string,
  value: unknown,
  onChange: Change<unknown>,
): ReactNode | undefined {
  if (node.type !== "send") return undefined;
  if (path === "send.smsTemplate") return node.send.channel === "sms" ? undefined : null;
  if (!node.send.smsTemplate || node.send.channel !== "sms") return undefined;
  if (path === "send.locale") return null;
  if (path === "send.template") {
    return <ApprovedTextInput value={typeof value === "string" ? value : ""} onChange={onChange} />;
  }
  return undefined;
}

function ApprovedTextInput({ value, onChange }: { value: string; onChange: Change<unknown> }) {
  const { t } = useTranslation();
  const id = useId();
  const names = placeholders(value);
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {t("panel.smsTemplate.text")}
      </label>
      <textarea
        id={id}
        className="template-input"
        rows={4}
        spellCheck={false}
        data-testid="sms-template-text"
        aria-describedby={`${id}-hint`}
        value={value}
        onChange={(e) => onChange(e.target.value, "field:send.template")}
      />
      <span id={`${id}-hint`} className="field-hint muted">
        {t("panel.smsTemplate.exactly")}{" "}
        {names.length > 0
          ? t("panel.smsTemplate.placeholders", {
              names: names.map((n) => `\${${n}}`).join(", "),
            })
          : t("panel.smsTemplate.noPlaceholders", { example: `\${name}` })}
      </span>
    </div>
  );
}

/** The message a sample contact gets, filled in, with China's count: every character 1. */
export function SmsTemplatePreviewCard({
  send,
  journey,
}: {
  send: SendSpec;
  journey: { id: string; name: string };
}) {
  const { t } = useTranslation();
  const tpl = send.smsTemplate;
  if (!tpl) return null;
  const { id, ...attributes } = SAMPLE_CONTACTS["zh-CN"];
  const user = templateUser({ id: String(id), attributes });
  const r = composeTemplateSms(tpl, send.template, { user, event: SAMPLE_EVENT, journey }, {});
  const linked = tpl.params.filter((p) => hasLink(p.value)).map((p) => p.name);
  return (
    <section className="sms-preview" aria-label={t("panel.smsTemplate.preview")}>
      <div className="sms-preview-head">
        <h4>
          {t("panel.preview.for", {
            name: String(attributes.firstName ?? t("panel.preview.sampleContact")),
          })}
        </h4>
        <span className="muted">
          {tpl.code || t("panel.smsTemplate.noCode")} · 【{tpl.signName}】
        </span>
      </div>
      {!r.ok ? (
        <p className="error" role="alert">
          {t("panel.smsTemplate.paramError", { name: r.field, message: r.error })}
        </p>
      ) : (
        <TemplateStats body={r.body} linked={linked} />
      )}
    </section>
  );
}

function TemplateStats({ body, linked }: { body: string; linked: string[] }) {
  const { t } = useTranslation();
  const count = countChinaSms(body);
  return (
    <>
      <div className="phone">
        <div className="bubble" data-testid="sms-template-body">
          {body}
        </div>
      </div>
      <dl className="sms-stats" data-testid="sms-template-stats">
        <div>
          <dt>{t("panel.sms.characters")}</dt>
          <dd>{count.characters}</dd>
        </div>
        <div>
          <dt>{t("panel.smsTemplate.counted")}</dt>
          <dd>{t("panel.smsTemplate.each1")}</dd>
        </div>
        <div>
          <dt>{t("panel.sms.parts")}</dt>
          <dd className={count.parts > 1 ? "warn" : ""}>
            {count.parts} × {count.parts > 1 ? PART_LIMIT : SINGLE_LIMIT}
          </dd>
        </div>
      </dl>
      <ul className="sms-notes">
        <li>{t("panel.smsTemplate.billing", { single: SINGLE_LIMIT, part: PART_LIMIT })}</li>
        <li>{t("panel.smsTemplate.noOptOut")}</li>
        {linked.length > 0 && (
          <li className="warn" data-testid="sms-template-link-warning">
            {t("panel.smsTemplate.links", { names: linked.map((n) => `\${${n}}`).join(", ") })}
          </li>
        )}
      </ul>
    </>
  );
}
