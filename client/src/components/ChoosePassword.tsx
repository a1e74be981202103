import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, type Operator } from "../api.ts";

/**
 * What an operator on the one-time password printed by `npm start` (or given by an admin) sees,
 * and all they see: the server answers every other route with `password_change_required` until
 * they choose their own, so the console does not pretend otherwise.
 */
export function ChoosePassword({
  operator,
  onChanged,
  onLogout,
}: {
  operator: Operator;
  onChanged: () => void;
  onLogout: () => void;
}) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.changePassword(current, next);
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t("common.cannotReach"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="choose-password">
        <h1 id="choose-password">{t("choosePassword.title")}</h1>
        <p className="muted">{t("choosePassword.intro", { email: operator.email })}</p>
        <label>
          {t("choosePassword.oneTime")}
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
        <label>
          {t("choosePassword.newPassword")}
          <input
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("common.saving") : t("choosePassword.submit")}
        </button>
        <button type="button" className="ghost" onClick={onLogout}>
          {t("common.logOut")}
        </button>
      </form>
    </div>
  );
}
