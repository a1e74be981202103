import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { OperatorRow, Role } from "../../api.ts";
import { api, type Operator } from "../../api.ts";
import { formatDateTime } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { ROLE_LABELS } from "../../i18n/labels.ts";
import { OneTimeSecret } from "./OneTimeSecret.tsx";

const ROLES: readonly { role: Role; hint: string }[] = [
  { role: "marketer", hint: msgKey("settings.operators.roleHint.marketer") },
  { role: "support", hint: msgKey("settings.operators.roleHint.support") },
  { role: "engineer", hint: msgKey("settings.operators.roleHint.engineer") },
  { role: "admin", hint: msgKey("settings.operators.roleHint.admin") },
];

function isRole(v: string): v is Role {
  return ROLES.some((r) => r.role === v);
}

/** Console accounts (admin): create with a one-time password, change a role, disable at once. */
export function OperatorsSection({ me }: { me: Operator }) {
  const [rows, setRows] = useState<OperatorRow[] | null>(null);
  const { t, i18n } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("marketer");
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** A role picked in a row and not yet applied: a role change is one deliberate click. */
  const [picked, setPicked] = useState<{ id: number; role: Role } | null>(null);

  const refresh = useCallback(() => {
    api
      .operators()
      .then((r) => setRows(r.operators))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  useEffect(refresh, [refresh]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const body: { email: string; role: Role; name?: string } = { email: email.trim(), role };
      if (name.trim()) body.name = name.trim();
      const r = await api.createOperator(body);
      setCreated({ email: email.trim(), password: r.password });
      setEmail("");
      setName("");
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function changeRole(row: OperatorRow, role: Role) {
    setPicked(null);
    setError(null);
    try {
      const r = await api.setOperatorRole(row.id, role);
      // The row shows the new role at once; the refresh below confirms it (without this, the
      // picker fell back to the old role until the list came back).
      setRows((rs) => rs?.map((x) => (x.id === row.id ? { ...x, role: r.role } : x)) ?? rs);
      setNotice(
        [
          t("settings.operators.nowRole", { email: row.email, role: t(ROLE_LABELS[r.role]) }),
          r.keysStopped > 0
            ? t("settings.operators.keysStoppedAbove", { count: r.keysStopped })
            : "",
        ]
          .filter(Boolean)
          .join(t("settings.operators.sentenceSeparator")),
      );
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function disable(id: number) {
    setConfirming(null);
    try {
      const r = await api.disableOperator(id);
      setNotice(
        [
          t("settings.operators.disabledNotice"),
          r.keysStopped > 0 ? t("settings.operators.keysStopped", { count: r.keysStopped }) : "",
          r.writeKeysActive > 0
            ? t("settings.operators.writeKeysActive", { count: r.writeKeysActive })
            : "",
        ]
          .filter(Boolean)
          .join(t("settings.operators.sentenceSeparator")),
      );
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="s-ops">
      <h3 id="s-ops">{t("settings.operators.title")}</h3>
      <p className="muted">{t("settings.operators.intro")}</p>
      {created && (
        <OneTimeSecret
          label={t("settings.operators.passwordFor", { email: created.email })}
          value={created.password}
          onDone={() => setCreated(null)}
        />
      )}
      {notice && (
        <p className="muted" role="status" data-testid="operators-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows === null && !error && <p className="muted">{t("settings.operators.loading")}</p>}
      {rows !== null && (
        <table className="table" aria-label={t("settings.operators.title")}>
          <thead>
            <tr>
              <th>{t("settings.operators.col.email")}</th>
              <th>{t("settings.keys.col.role")}</th>
              <th>{t("settings.operators.col.lastSignIn")}</th>
              <th>
                <span className="sr-only">{t("settings.keys.col.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id} className={o.disabledAt ? "muted" : ""}>
                <td>
                  <span className="name">{o.email}</span>
                  {o.name && <div className="muted small">{o.name}</div>}
                </td>
                <td>
                  {o.disabledAt || o.id === me.id ? (
                    t(ROLE_LABELS[o.role])
                  ) : (
                    <span className="role-change">
                      <select
                        aria-label={t("settings.operators.roleOf", { email: o.email })}
                        value={picked?.id === o.id ? picked.role : o.role}
                        onChange={(e) => {
                          const next = e.target.value;
                          if (!isRole(next)) return;
                          setPicked(next === o.role ? null : { id: o.id, role: next });
                        }}
                      >
                        {ROLES.map((r) => (
                          <option key={r.role} value={r.role}>
                            {t(ROLE_LABELS[r.role])}
                          </option>
                        ))}
                      </select>
                      {picked?.id === o.id && (
                        <>
                          <button
                            type="button"
                            className="primary"
                            onClick={() => void changeRole(o, picked.role)}
                          >
                            {t("settings.operators.make", { role: t(ROLE_LABELS[picked.role]) })}
                          </button>
                          <button type="button" className="ghost" onClick={() => setPicked(null)}>
                            {t("common.cancel")}
                          </button>
                        </>
                      )}
                    </span>
                  )}
                </td>
                <td className="muted small">
                  {o.lastLoginAt
                    ? formatDateTime(i18n.language, o.lastLoginAt)
                    : t("settings.keys.never")}
                </td>
                <td className="row-actions">
                  {o.disabledAt ? (
                    <span className="muted small">{t("settings.operators.disabled")}</span>
                  ) : o.id === me.id ? (
                    <span className="muted small">{t("settings.operators.you")}</span>
                  ) : confirming === o.id ? (
                    <>
                      <button type="button" className="ghost" onClick={() => setConfirming(null)}>
                        {t("settings.keep")}
                      </button>
                      <button type="button" className="danger" onClick={() => void disable(o.id)}>
                        {t("settings.operators.disableNow")}
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={t("settings.operators.disableAria", { email: o.email })}
                      onClick={() => setConfirming(o.id)}
                    >
                      {t("settings.operators.disable")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="create-row" onSubmit={create} aria-label={t("settings.operators.form")}>
        <label>
          {t("settings.operators.col.email")}
          <input
            type="email"
            required
            value={email}
            placeholder="li.wei@example.com"
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          {t("settings.operators.name")}
          <input
            value={name}
            placeholder={t("settings.operators.optional")}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          {t("settings.keys.col.role")}
          <select value={role} onChange={(e) => isRole(e.target.value) && setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {t("settings.roleOption", { role: t(ROLE_LABELS[r.role]), hint: t(r.hint) })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!email.trim()}>
          {t("settings.operators.add")}
        </button>
      </form>
    </section>
  );
}
