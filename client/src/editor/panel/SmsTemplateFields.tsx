import { type ReactNode, useId } from "react";
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
  const id = useId();
  const names = placeholders(value);
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Approved template text
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
        Exactly as the provider approved it.{" "}
        {names.length > 0
          ? `Placeholders: ${names.map((n) => `\${${n}}`).join(", ")}`
          : `No \${name} placeholders yet.`}
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
  const t = send.smsTemplate;
  if (!t) return null;
  const { id, ...attributes } = SAMPLE_CONTACTS["zh-CN"];
  const user = templateUser({ id: String(id), attributes });
  const r = composeTemplateSms(t, send.template, { user, event: SAMPLE_EVENT, journey }, {});
  const linked = t.params.filter((p) => hasLink(p.value)).map((p) => p.name);
  return (
    <section className="sms-preview" aria-label="Template SMS preview">
      <div className="sms-preview-head">
        <h4>Preview for {String(attributes.firstName ?? "a sample contact")}</h4>
        <span className="muted">
          {t.code || "no code"} · 【{t.signName}】
        </span>
      </div>
      {!r.ok ? (
        <p className="error" role="alert">
          Parameter {r.field}: {r.error}
        </p>
      ) : (
        <TemplateStats body={r.body} linked={linked} />
      )}
    </section>
  );
}

function TemplateStats({ body, linked }: { body: string; linked: string[] }) {
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
          <dt>Characters</dt>
          <dd>{count.characters}</dd>
        </div>
        <div>
          <dt>Counted</dt>
          <dd>each 1</dd>
        </div>
        <div>
          <dt>Parts</dt>
          <dd className={count.parts > 1 ? "warn" : ""}>
            {count.parts} × {count.parts > 1 ? PART_LIMIT : SINGLE_LIMIT}
          </dd>
        </div>
      </dl>
      <ul className="sms-notes">
        <li>
          Counted as China's providers bill: every character is 1, the sign name 【…】 included;{" "}
          {SINGLE_LIMIT} for one message, {PART_LIMIT} per part when longer.
        </li>
        <li>No opt-out line appended: the approved text carries the provider's own wording.</li>
        {linked.length > 0 && (
          <li className="warn" data-testid="sms-template-link-warning">
            Links are not allowed in parameters ({linked.map((n) => `\${${n}}`).join(", ")}): the
            provider rejects variable and shortened links. Put a fixed link in the approved text.
          </li>
        )}
      </ul>
    </>
  );
}
