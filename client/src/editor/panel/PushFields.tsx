import "./push.css";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { JourneyNode } from "../../../../engine/format/journey.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import { composePush, pushPayloadJson } from "../../../../engine/push/compose.ts";
import { PUSH_PAYLOAD_MAX_BYTES } from "../../../../engine/push/spec.ts";
import { sampleTrackedLink } from "../../../../engine/sms/index.ts";
import { renderTemplate, type TemplateVars } from "../../../../engine/template/index.ts";
import { useSendFactsContext } from "../send-facts.ts";
import { labelFor } from "./labels.ts";
import { sampleTemplateVars } from "./sms-preview.ts";

/**
 * The push half of the send form. Title, icon and click URL come from the schema like every
 * other field; this hides them on sends that are not push (validation would refuse them) and
 * previews the notification as a sample contact gets it, through the engine's own composePush,
 * with the payload's size against the 4 KB every push service takes.
 */

/** A UUID's length: the `tag` the delivery worker adds (the message's provider key). */
const SAMPLE_TAG = "00000000-0000-4000-8000-000000000000";

/** For the node form's override: nothing for `send.push` on a send that is not a push. */
export function pushFieldOverride(node: JourneyNode, path: string): ReactNode | undefined {
  if (path !== "send.push" || node.type !== "send") return undefined;
  return node.send.channel === "push" ? undefined : null;
}

export function PushPreviewCard({
  send,
  journey,
}: {
  send: SendSpec;
  journey: { id: string; name: string };
}) {
  const { t } = useTranslation();
  const facts = useSendFactsContext();
  const vars = sampleTemplateVars(journey);
  const link = sampleTrackedLink(facts.linkShape);
  const r = composePush(send, vars, { trackLink: () => link }, journey.name);
  if (!r.ok) {
    return (
      <section className="sms-preview push-preview" aria-label={t("panel.push.preview")}>
        <h4>{t("panel.preview.title")}</h4>
        <p className="error" role="alert">
          {t("panel.preview.fieldError", { field: labelFor(r.field), message: r.error })}
        </p>
      </section>
    );
  }
  const c = r.content;
  // Where a click lands, not the tracked link it goes through.
  const untracked = composePush(send, vars, {}, journey.name);
  const destination =
    untracked.ok && untracked.content.url ? new URL(untracked.content.url).host : null;
  const bytes = new TextEncoder().encode(pushPayloadJson(r.body, c, SAMPLE_TAG)).length;
  const cut = r.body !== uncutBody(send, vars, link);
  return (
    <section className="sms-preview push-preview" aria-label={t("panel.push.preview")}>
      <h4>{t("panel.preview.title")}</h4>
      <div className="push-card" data-testid="push-card">
        <div className="push-icon" aria-hidden="true">
          {c.icon ? (
            <svg viewBox="0 0 16 16" width="20" height="20" role="presentation">
              <path d="M2 3h12v10H2z" fill="none" stroke="currentColor" />
              <circle cx="6" cy="6.5" r="1.3" fill="currentColor" />
              <path d="M3 12l3.5-3.5 2.5 2 2-1.5 2 3z" fill="currentColor" />
            </svg>
          ) : (
            (c.title.trim()[0] ?? "•").toUpperCase()
          )}
        </div>
        <div className="push-text">
          <div className="push-title" data-testid="push-title">
            {c.title}
          </div>
          <div className="push-body" data-testid="push-body">
            {r.body}
          </div>
          {destination && <div className="push-origin muted">{destination}</div>}
        </div>
      </div>
      <dl className="sms-stats" data-testid="push-stats">
        <div>
          <dt>{t("panel.push.payload")}</dt>
          <dd
            className={cut ? "warn" : ""}
            title={t("panel.push.atMost", { n: PUSH_PAYLOAD_MAX_BYTES })}
          >
            {bytes} B
          </dd>
        </div>
        <div>
          <dt>{labelFor("title")}</dt>
          <dd className={c.title.length > 50 ? "warn" : ""}>
            {t("panel.preview.chars", { n: c.title.length })}
          </dd>
        </div>
        <div>
          <dt>{t("panel.push.urgency")}</dt>
          <dd>
            {send.category === "transactional" ? t("panel.push.high") : t("panel.push.normal")}
          </dd>
        </div>
      </dl>
      <ul className="sms-notes">
        {c.url ? (
          <li data-testid="push-click">
            {send.push?.url ? t("panel.push.clickUrl") : t("panel.push.clickIt")}
          </li>
        ) : (
          <li>{t("panel.push.noClick")}</li>
        )}
        {c.icon && <li>{t("panel.push.icon", { icon: c.icon })}</li>}
        {c.title.length > 50 && <li className="warn">{t("panel.push.longTitle")}</li>}
        {cut && <li className="warn">{t("panel.push.cut")}</li>}
        {!send.push && <li className="warn">{t("panel.push.noTitle")}</li>}
        <li>{t("panel.push.browsers")}</li>
      </ul>
    </section>
  );
}

/** The body as rendered without the 4 KB cut, to tell the marketer it was cut. */
function uncutBody(send: SendSpec, vars: TemplateVars, link: string): string {
  const r = renderTemplate(send.template, vars, { trackLink: () => link });
  return r.ok ? r.text : "";
}
