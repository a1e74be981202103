import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  api,
  type Channel,
  type ProviderForm,
  type ProviderTestResult,
  type ProviderView,
} from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { CHANNEL_TAGS } from "../../i18n/labels.ts";

/** A form field of a provider kind; the server's schema (provider-kinds.ts) has the rules. */
type Field = { name: string; label: string; secret?: true; type?: "number" | "hosts" };

const f = (name: string, label: string, more: Omit<Field, "name" | "label"> = {}): Field => ({
  name,
  label,
  ...more,
});

const FIELDS: Record<string, Field[]> = {
  console: [],
  twilio: [
    f("accountSid", msgKey("providers.field.accountSid")),
    f("authToken", msgKey("providers.field.authToken"), { secret: true }),
    f("from", msgKey("providers.field.from")),
    f("baseUrl", msgKey("providers.field.baseUrl")),
    f("ratePerSecond", msgKey("providers.field.ratePerSecond"), { type: "number" }),
  ],
  aliyun: [
    f("accessKeyId", msgKey("providers.field.accessKeyId")),
    f("accessKeySecret", msgKey("providers.field.accessKeySecret"), { secret: true }),
    f("endpoint", msgKey("providers.field.endpoint")),
    f("callbackToken", msgKey("providers.field.callbackToken"), { secret: true }),
    f("dailyLimit", msgKey("providers.field.dailyLimit"), { type: "number" }),
    f("ratePerSecond", msgKey("providers.field.ratePerSecond"), { type: "number" }),
  ],
  webhook: [
    f("url", msgKey("providers.field.url")),
    f("secret", msgKey("providers.field.secret"), { secret: true }),
    f("lookupUrl", msgKey("providers.field.lookupUrl")),
    f("allowHosts", msgKey("providers.field.allowHosts"), { type: "hosts" }),
    f("ratePerSecond", msgKey("providers.field.ratePerSecond"), { type: "number" }),
  ],
  smtp: [
    f("smtpUrl", msgKey("providers.field.smtpUrl"), { secret: true }),
    f("from", msgKey("providers.field.emailFrom")),
    f("ratePerSecond", msgKey("providers.field.ratePerSecond"), { type: "number" }),
  ],
  webpush: [
    f("publicKey", msgKey("providers.field.publicKey")),
    f("privateKey", msgKey("providers.field.privateKey"), { secret: true }),
    f("subject", msgKey("providers.field.subject")),
    f("ttlSeconds", msgKey("providers.field.ttlSeconds"), { type: "number" }),
    f("allowHosts", msgKey("providers.field.allowHosts"), { type: "hosts" }),
    f("ratePerSecond", msgKey("providers.field.ratePerSecond"), { type: "number" }),
  ],
};

const KIND_LABELS: Record<string, string> = {
  console: msgKey("providers.kind.console"),
  twilio: msgKey("providers.kind.twilio"),
  aliyun: msgKey("providers.kind.aliyun"),
  webhook: msgKey("providers.kind.webhook"),
  smtp: msgKey("providers.kind.smtp"),
  webpush: msgKey("providers.kind.webpush"),
};

const RECIPIENT_HINTS: Record<Channel, string> = {
  sms: msgKey("providers.test.toSms"),
  email: msgKey("providers.test.toEmail"),
  push: msgKey("providers.test.toPush"),
  webhook: msgKey("providers.test.toWebhook"),
};

/** A stored setting as the input shows it: host lists comma-separated. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  return value === undefined || value === null ? "" : String(value);
}

/** The typed text as the API takes it; blank fields are left out so the kind's defaults apply. */
function formOf(kind: string, values: Record<string, string>): ProviderForm {
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const field of FIELDS[kind] ?? []) {
    const raw = (values[field.name] ?? "").trim();
    if (raw === "") continue;
    if (field.secret) secrets[field.name] = raw;
    else if (field.type === "number") settings[field.name] = Number(raw);
    else if (field.type === "hosts") settings[field.name] = raw.split(",").map((h) => h.trim());
    else settings[field.name] = raw;
  }
  return { kind, settings, secrets };
}

/**
 * Settings → Providers (admins): per channel, the provider in effect — chosen here, or the
 * environment's when nothing is saved — its fields, secrets write-only (the server answers
 * only whether one is set), Save, back to the environment, and a test send whose outcome is
 * shown as the provider gave it.
 */
export function ProvidersSection() {
  const { t } = useTranslation();
  const [views, setViews] = useState<ProviderView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    api
      .providers()
      .then((r) => setViews(r.providers))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  useEffect(refresh, [refresh]);

  return (
    <section className="card settings-card" aria-labelledby="s-providers">
      <h3 id="s-providers">{t("providers.title")}</h3>
      <p className="muted">{t("providers.intro")}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {views?.map((view) => (
        <ChannelProvider
          key={`${view.channel}:${view.updatedAt ?? "env"}`}
          view={view}
          onSaved={refresh}
        />
      ))}
    </section>
  );
}

function ChannelProvider({ view, onSaved }: { view: ProviderView; onSaved: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const channel = view.channel;
  const [kind, setKind] = useState(view.kind);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(view.settings).map(([k, v]) => [k, shown(v)])),
  );
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [to, setTo] = useState("");
  const [template, setTemplate] = useState({ code: "", signName: "" });
  const [outcome, setOutcome] = useState<ProviderTestResult | null>(null);
  const storedKind = view.source === "settings" ? view.kind : null;
  const id = (name: string) => `provider-${channel}-${name}`;

  function edit(name: string, value: string) {
    setValues((v) => ({ ...v, [name]: value }));
    setDirty(true);
  }

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setMessage(null);
    try {
      await action();
    } catch (err) {
      setMessage({ kind: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.saveProvider(channel, formOf(kind, values));
      setMessage({ kind: "ok", text: t("providers.saved") });
      onSaved();
    });
  };

  const forget = () =>
    void run(async () => {
      await api.forgetProvider(channel);
      onSaved();
    });

  const test = () =>
    void run(async () => {
      setOutcome(null);
      const withTemplate = kind === "aliyun" && template.code.trim() !== "";
      setOutcome(
        await api.testProvider(channel, {
          to: to.trim(),
          // Unsaved changes are tested as typed; otherwise the provider in effect.
          ...(dirty || kind !== view.kind ? { provider: formOf(kind, values) } : {}),
          ...(withTemplate
            ? {
                smsTemplate: {
                  code: template.code.trim(),
                  signName: template.signName.trim(),
                  params: [],
                },
              }
            : {}),
        }),
      );
    });

  return (
    <form className="provider-channel" onSubmit={save} data-testid={`provider-${channel}`}>
      <h4>{t(CHANNEL_TAGS[channel])}</h4>
      <p className="muted" data-testid={`provider-${channel}-source`}>
        {view.source === "environment"
          ? t("providers.fromEnvironment", { kind: t(KIND_LABELS[view.kind] ?? view.kind) })
          : t("providers.fromSettings", {
              who: view.updatedBy ?? "",
              at: view.updatedAt ? format.dateTime(view.updatedAt) : "",
            })}
      </p>
      <div className="form-row">
        <label htmlFor={id("kind")}>
          {t("providers.kindLabel")}
          <select
            id={id("kind")}
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setDirty(true);
            }}
          >
            {view.kinds.map((k) => (
              <option key={k} value={k}>
                {t(KIND_LABELS[k] ?? k)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="provider-fields">
        {(FIELDS[kind] ?? []).map((field) => {
          const set = storedKind === kind && view.secrets[field.name] === "set";
          return (
            <label key={field.name} className="provider-field" htmlFor={id(field.name)}>
              {t(field.label)}
              <input
                id={id(field.name)}
                type={field.secret ? "password" : field.type === "number" ? "number" : "text"}
                autoComplete={field.secret ? "new-password" : "off"}
                value={values[field.name] ?? ""}
                placeholder={
                  field.secret
                    ? set
                      ? t("providers.secretSet")
                      : t("providers.secretNotSet")
                    : undefined
                }
                onChange={(e) => edit(field.name, e.target.value)}
              />
            </label>
          );
        })}
      </div>
      <div className="form-row">
        <button type="submit" className="primary" disabled={busy}>
          {t("providers.save")}
        </button>
        {view.source === "settings" && (
          <button type="button" onClick={forget} disabled={busy}>
            {t("providers.useEnvironment")}
          </button>
        )}
      </div>
      <div className="form-row provider-test">
        <label htmlFor={id("to")}>
          {t(RECIPIENT_HINTS[channel])}
          <input id={id("to")} value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        {kind === "aliyun" && (
          <>
            <label htmlFor={id("template")}>
              {t("providers.test.templateCode")}
              <input
                id={id("template")}
                value={template.code}
                onChange={(e) => setTemplate((v) => ({ ...v, code: e.target.value }))}
              />
            </label>
            <label htmlFor={id("sign")}>
              {t("providers.test.signName")}
              <input
                id={id("sign")}
                value={template.signName}
                onChange={(e) => setTemplate((v) => ({ ...v, signName: e.target.value }))}
              />
            </label>
          </>
        )}
        <button type="button" onClick={test} disabled={busy || to.trim() === ""}>
          {busy ? t("providers.test.sending") : t("providers.test.send")}
        </button>
      </div>
      {message && (
        <p className={message.kind === "error" ? "error" : "ok"} role="status">
          {message.text}
        </p>
      )}
      {outcome && (
        <p
          className={outcome.result === "sent" ? "ok" : "error"}
          role="status"
          data-testid={`provider-${channel}-outcome`}
        >
          {outcome.result === "sent"
            ? t("providers.test.accepted", {
                id: outcome.providerMessageId ?? "",
                ms: outcome.ms,
              })
            : t("providers.test.refused", {
                result: outcome.result,
                error: outcome.error ?? "",
                ms: outcome.ms,
              })}
        </p>
      )}
    </form>
  );
}
