import "../console.css";
import { useEffect, useState } from "react";
import type { Settings } from "../../api.ts";
import { api, type Operator } from "../../api.ts";
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
  console: "Console (logged, nothing leaves this server)",
  webhook: "Webhook (signed POST to your endpoint)",
  twilio: "Twilio",
  aliyun: "Aliyun SMS (approved templates, mainland China)",
};

/**
 * Workspace settings. Sections follow the permissions GET /api/me reads from the route table:
 * everyone reads the policy, admins edit it; engineers and admins manage keys; admins manage
 * operators and read the audit log.
 */
export function SettingsPage({ operator }: { operator: Operator }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  useEffect(() => {
    document.title = "Settings · Waymark";
    api
      .settings()
      .then((settings) => setLoad({ state: "ready", settings }))
      .catch((err: unknown) =>
        setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
  }, []);
  const can = useCan();

  return (
    <section>
      <div className="page-head">
        <h2>Settings</h2>
      </div>
      {load.state === "loading" && <p className="muted">Loading settings…</p>}
      {load.state === "error" && (
        <p className="error" role="alert">
          Could not load settings: {load.message}
        </p>
      )}
      {load.state === "ready" && (
        <div className="settings">
          <PolicyForm initial={load.settings.policy} editable={can("editSettings")} />
          <section className="card settings-card" aria-labelledby="s-provider">
            <h3 id="s-provider">SMS provider</h3>
            <p className="muted">Set by environment variables on the server (see the README).</p>
            <dl className="provider-grid">
              <dt>Provider</dt>
              <dd data-testid="sms-provider">{PROVIDER_LABEL[load.settings.provider.sms]}</dd>
              <dt>Public URL</dt>
              <dd className="mono">
                {load.settings.provider.publicUrl ?? "this server's own URL"}
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
