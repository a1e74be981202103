import "./channel-details.css";
import { useTranslation } from "react-i18next";
import type { Message } from "../api.ts";
import { useFormat } from "../i18n/format.ts";

type Details = NonNullable<Message["details"]>;

/**
 * A message's channel facts (server/api/channel-details.ts) as a short list under its text: an
 * email's subject and sender, a template SMS's code, sign name and filled parameters, a push's
 * title, destination and the browsers whose push services took it, a webhook's method and URL.
 * `opens` adds an email's open stamps (the outbox); the timeline shows them as rows instead.
 */
export function ChannelDetails({
  details,
  opens = false,
}: {
  details: Details | null | undefined;
  opens?: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!details) return null;
  const items: [string, string][] = [];
  switch (details.channel) {
    case "email":
      items.push([t("channels.email.subject"), details.subject ?? "—"]);
      items.push([t("channels.email.from"), details.from ?? t("channels.email.defaultFrom")]);
      if (opens) {
        items.push([
          t("channels.email.opened"),
          details.openedAt
            ? format.shortTime(details.openedAt)
            : details.machineOpenedAt
              ? t("channels.email.machineOnly", { time: format.shortTime(details.machineOpenedAt) })
              : t("channels.email.notOpened"),
        ]);
      }
      break;
    case "sms":
      items.push([t("channels.sms.code"), details.template.code]);
      items.push([t("channels.sms.signName"), details.template.signName]);
      items.push([
        t("channels.sms.params"),
        details.template.params.length > 0
          ? details.template.params.map((p) => `${p.name} = ${p.value}`).join(", ")
          : "—",
      ]);
      break;
    case "push":
      items.push([t("channels.push.title"), details.title ?? "—"]);
      items.push([t("channels.push.clickUrl"), details.clickUrl ?? "—"]);
      items.push([
        t("channels.push.accepted"),
        details.accepted.length > 0
          ? details.accepted.map((a) => browserOf(t, a.service)).join(", ")
          : t("channels.push.noneAccepted"),
      ]);
      break;
    case "webhook":
      items.push([t("channels.webhook.request"), `${details.method ?? ""} ${details.url ?? "—"}`]);
      break;
  }
  return (
    <dl
      className="channel-details small"
      data-testid="channel-details"
      data-channel={details.channel}
    >
      {items.map(([k, v]) => (
        <div key={k}>
          <dt className="muted">{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The browser a push service serves, by its host; the host itself when not a known one. */
function browserOf(t: (key: string, o?: Record<string, string>) => string, host: string): string {
  const name = host.endsWith("fcm.googleapis.com")
    ? "Chrome"
    : host.endsWith("push.services.mozilla.com")
      ? "Firefox"
      : host.endsWith("push.apple.com")
        ? "Safari"
        : host.endsWith("notify.windows.com")
          ? "Edge"
          : null;
  return name ? t("channels.push.browser", { name, host }) : host;
}
