import "../console.css";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Settings } from "../../api.ts";
import { api, type Operator } from "../../api.ts";
import { msgKey } from "../../i18n/index.ts";
import { useCan } from "../../permissions.ts";
import { AuditSection } from "./AuditSection.tsx";
import { KeysSection } from "./KeysSection.tsx";
import { OperatorsSection } from "./OperatorsSection.tsx";
import { PolicyForm } from "./PolicyForm.tsx";
import { ProvidersSection } from "./ProvidersSection.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; settings: Settings };

const PROVIDER_LABEL: Record<Settings["provider"]["sms"], string> = {
  console: msgKey("settings.provider.kind.console"),
  webhook: msgKey("settings.provider.kind.webhook"),
  twilio: msgKey("settings.provider.kind.twilio"),
  aliyun: msgKey("settings.provider.kind.aliyun"),
};

/**
 * Workspace settings. Sections follow the permissions GET /api/me reads from the route table:
 * everyone reads the policy, admins edit it; engineers and admins manage keys; admins manage
 * operators and read the audit log.
 */
export function SettingsPage({ operator }: { operator: Operator }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("nav.settings")} · Waymark`;
    api
      .settings()
      .then((settings) => setLoad({ state: "ready", settings }))
      .catch((err: unknown) =>
        setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
  }, [t]);
  const can = useCan();

  return (
    <section>
      <div className="page-head">
        <h2>{t("nav.settings")}</h2>
      </div>
      {load.state === "loading" && <p className="muted">{t("settings.loading")}</p>}
      {load.state === "error" && (
        <p className="error" role="alert">
          {t("settings.loadFailed", { message: load.message })}
        </p>
      )}
      {load.state === "ready" && (
        <div className="settings">
          <PolicyForm initial={load.settings.policy} editable={can("editSettings")} />
          <section className="card settings-card" aria-labelledby="s-provider">
            <h3 id="s-provider">{t("settings.provider.title")}</h3>
            <p className="muted">{t("settings.provider.intro")}</p>
            <dl className="provider-grid">
              <dt>{t("settings.provider.provider")}</dt>
              <dd data-testid="sms-provider">{t(PROVIDER_LABEL[load.settings.provider.sms])}</dd>
              <dt>{t("settings.provider.publicUrl")}</dt>
              <dd className="mono">
                {load.settings.provider.publicUrl ?? t("settings.provider.ownUrl")}
              </dd>
            </dl>
          </section>
          {can("manageKeys") && <KeysSection me={operator} />}
          {can("manageOperators") && <OperatorsSection me={operator} />}
          {can("manageOperators") && <ProvidersSection />}
          {can("readAudit") && <AuditSection />}
        </div>
      )}
    </section>
  );
}
