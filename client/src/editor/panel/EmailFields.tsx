import "./email.css";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { composeEmail } from "../../../../engine/email/compose.ts";
import type { JourneyNode } from "../../../../engine/format/journey.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import { sampleTrackedLink } from "../../../../engine/sms/index.ts";
import { useSendFactsContext } from "../send-facts.ts";
import { labelFor } from "./labels.ts";
import { sampleTemplateVars } from "./sms-preview.ts";

/**
 * The email half of the send form. The fields themselves (subject, preheader, HTML, from,
 * reply-to) come from the schema like every other field; this hides them on sends that are not
 * email (where validation would refuse them) and previews the email as a sample contact gets it,
 * through the engine's own composeEmail, with its size.
 */

/** Gmail shows "[Message clipped]" past 102 KB of HTML: the one size limit readers notice. */
const GMAIL_CLIP_BYTES = 102 * 1024;

/** For the node form's override: nothing for `send.email` on a send that is not an email. */
export function emailFieldOverride(node: JourneyNode, path: string): ReactNode | undefined {
  if (path !== "send.email" || node.type !== "send") return undefined;
  return node.send.channel === "email" ? undefined : null;
}

export function EmailPreviewCard({
  send,
  journey,
}: {
  send: SendSpec;
  journey: { id: string; name: string };
}) {
  const { t } = useTranslation();
  const facts = useSendFactsContext();
  const link = sampleTrackedLink(facts.linkShape);
  const r = composeEmail(
    send,
    sampleTemplateVars(journey),
    { trackLink: () => link },
    journey.name,
  );
  if (!r.ok) {
    return (
      <section className="sms-preview email-preview" aria-label={t("panel.email.preview")}>
        <h4>{t("panel.preview.title")}</h4>
        <p className="error" role="alert">
          {t("panel.preview.fieldError", {
            field: r.field === "template" ? t("panel.email.text") : labelFor(r.field),
            message: r.error,
          })}
        </p>
      </section>
    );
  }
  const c = r.content;
  const htmlBytes = c.html === null ? 0 : new TextEncoder().encode(c.html).length;
  const textBytes = new TextEncoder().encode(r.text).length;
  return (
    <section className="sms-preview email-preview" aria-label={t("panel.email.preview")}>
      <h4>{t("panel.preview.title")}</h4>
      <div className="email-envelope" data-testid="email-envelope">
        <div>
          <span className="muted">{labelFor("from")}</span>{" "}
          {c.from ?? t("panel.email.workspaceSender")}
        </div>
        {c.replyTo && (
          <div>
            <span className="muted">{labelFor("replyTo")}</span> {c.replyTo}
          </div>
        )}
        <div className="email-subject" data-testid="email-subject">
          {c.subject}
        </div>
        {c.preheader && <div className="muted email-preheader">{c.preheader}</div>}
      </div>
      {c.html !== null ? (
        <iframe
          className="email-frame"
          title={t("panel.email.htmlAsSent")}
          sandbox=""
          srcDoc={c.html}
          data-testid="email-html"
        />
      ) : (
        <pre className="email-text" data-testid="email-text">
          {r.text}
        </pre>
      )}
      <dl className="sms-stats" data-testid="email-stats">
        <div>
          <dt>HTML</dt>
          <dd className={htmlBytes > GMAIL_CLIP_BYTES ? "warn" : ""}>{kb(htmlBytes)}</dd>
        </div>
        <div>
          <dt>{t("panel.email.text")}</dt>
          <dd>{kb(textBytes)}</dd>
        </div>
        <div>
          <dt>{labelFor("subject")}</dt>
          <dd className={c.subject.length > 78 ? "warn" : ""}>
            {t("panel.preview.chars", { n: c.subject.length })}
          </dd>
        </div>
      </dl>
      <ul className="sms-notes">
        {send.category === "promotional" && <li>{t("panel.email.unsubscribe")}</li>}
        {c.html !== null && <li>{t("panel.email.pixel")}</li>}
        {htmlBytes > GMAIL_CLIP_BYTES && <li className="warn">{t("panel.email.clipped")}</li>}
        {!send.email && <li className="warn">{t("panel.email.noSubject")}</li>}
      </ul>
    </section>
  );
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
