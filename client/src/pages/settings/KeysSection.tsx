import { type FormEvent, useCallback, useEffect, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import type { ApiKey, KeyRole } from "../../api.ts";
import { api, type Operator } from "../../api.ts";
import { formatDateTime } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { ROLE_LABELS } from "../../i18n/labels.ts";
import { OneTimeSecret } from "./OneTimeSecret.tsx";

const KIND_LABELS: Record<ApiKey["kind"], string> = {
  write: msgKey("settings.keys.kind.write"),
  secret: msgKey("settings.keys.kind.secret"),
};

const KEY_ROLES: readonly { role: KeyRole; hint: string }[] = [
  { role: "metrics", hint: msgKey("settings.keys.roleHint.metrics") },
  { role: "support", hint: msgKey("settings.keys.roleHint.support") },
  { role: "marketer", hint: msgKey("settings.keys.roleHint.marketer") },
  { role: "engineer", hint: msgKey("settings.keys.roleHint.engineer") },
  { role: "admin", hint: msgKey("settings.keys.roleHint.admin") },
];

/** The server's rule (server/keys/api-keys.ts mayGrant): admins any role, others theirs or metrics. */
export function grantableRoles(mine: Operator["role"]): KeyRole[] {
  return KEY_ROLES.map((r) => r.role).filter(
    (r) => mine === "admin" || r === mine || r === "metrics",
  );
}

/**
 * API keys: write keys feed /v1 ingest, secret keys drive the REST API with a role no higher than
 * their creator's. Shown once, revocable; they stop when their creator is disabled. Admins see
 * every key, engineers the keys they made.
 */
export function KeysSection({ me }: { me: Operator }) {
  const roles = grantableRoles(me.role);
  const { t, i18n } = useTranslation();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<ApiKey["kind"]>("write");
  const [role, setRole] = useState<KeyRole>(me.role);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const refresh = useCallback(() => {
    api
      .keys()
      .then((r) => setKeys(r.keys))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  useEffect(refresh, [refresh]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.createKey(kind, name.trim(), kind === "secret" ? role : undefined);
      setCreated({ name: name.trim(), key: r.key });
      setName("");
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function revoke(id: number) {
    setConfirming(null);
    try {
      await api.revokeKey(id);
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const active = keys?.filter((k) => k.revokedAt === null) ?? [];
  return (
    <section className="card settings-card" aria-labelledby="s-keys">
      <h3 id="s-keys">{t("settings.keys.title")}</h3>
      <p className="muted">
        <Trans i18nKey="settings.keys.intro" components={{ code: <code /> }} />
      </p>
      {created && (
        <OneTimeSecret
          label={t("settings.keys.created", { name: created.name })}
          value={created.key}
          onDone={() => setCreated(null)}
        />
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {keys === null && !error && <p className="muted">{t("settings.keys.loading")}</p>}
      {keys !== null && active.length === 0 && (
        <p className="muted small">{t("settings.keys.none")}</p>
      )}
      {active.length > 0 && (
        <table className="table" aria-label={t("settings.keys.title")}>
          <thead>
            <tr>
              <th>{t("settings.keys.col.name")}</th>
              <th>{t("settings.keys.col.kind")}</th>
              <th>{t("settings.keys.col.role")}</th>
              <th>{t("settings.keys.col.key")}</th>
              <th>{t("settings.keys.col.createdBy")}</th>
              <th>{t("settings.keys.col.lastUsed")}</th>
              <th>
                <span className="sr-only">{t("settings.keys.col.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {active.map((k) => (
              <tr key={k.id}>
                <td className="name">
                  {k.name || <span className="muted">{t("settings.keys.unnamed")}</span>}
                </td>
                <td>{t(KIND_LABELS[k.kind])}</td>
                <td data-testid="key-role">{k.role ? t(ROLE_LABELS[k.role]) : "—"}</td>
                <td className="mono">{k.prefix ? `${k.prefix}…` : "—"}</td>
                <td className="small">
                  {k.createdBy ?? <span className="muted">CLI</span>}
                  {k.creatorDisabledAt && (
                    <div className="error small">{t("settings.keys.creatorDisabled")}</div>
                  )}
                </td>
                <td className="muted small">
                  {k.lastUsedAt
                    ? formatDateTime(i18n.language, k.lastUsedAt)
                    : t("settings.keys.never")}
                </td>
                <td className="row-actions">
                  {confirming === k.id ? (
                    <>
                      <button type="button" className="ghost" onClick={() => setConfirming(null)}>
                        {t("settings.keep")}
                      </button>
                      <button type="button" className="danger" onClick={() => void revoke(k.id)}>
                        {t("settings.keys.revokeNow")}
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={t("settings.keys.revokeAria", {
                        name: k.name ?? k.prefix ?? k.id,
                      })}
                      onClick={() => setConfirming(k.id)}
                    >
                      {t("settings.keys.revoke")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="create-row" onSubmit={create} aria-label={t("settings.keys.form")}>
        <label>
          {t("settings.keys.name")}
          <input
            value={name}
            required
            maxLength={100}
            placeholder="checkout-service"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="narrow">
          {t("settings.keys.col.kind")}
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value === "secret" ? "secret" : "write")}
          >
            <option value="write">{t("settings.keys.kindWrite")}</option>
            <option value="secret">{t("settings.keys.kindSecret")}</option>
          </select>
        </label>
        {kind === "secret" && (
          <label className="narrow">
            {t("settings.keys.col.role")}
            <select
              value={role}
              onChange={(e) => {
                const next = roles.find((r) => r === e.target.value);
                if (next) setRole(next);
              }}
            >
              {KEY_ROLES.filter((r) => roles.includes(r.role)).map((r) => (
                <option key={r.role} value={r.role}>
                  {t("settings.roleOption", { role: t(ROLE_LABELS[r.role]), hint: t(r.hint) })}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" className="primary" disabled={!name.trim()}>
          {t("settings.keys.create")}
        </button>
      </form>
    </section>
  );
}
