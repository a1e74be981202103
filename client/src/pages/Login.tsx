import { type FormEvent, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { ApiError, api } from "../api.ts";
import { LanguageSwitch } from "../components/LanguageSwitch.tsx";

export function LoginPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(email, password);
      await onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t("common.cannotReach"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit}>
        <div className="login-language">
          <LanguageSwitch remember={false} />
        </div>
        <h1>
          <span className="brand-mark" aria-hidden /> Waymark
        </h1>
        <p className="muted">{t("login.tagline")}</p>
        <label>
          {t("login.email")}
          <input
            name="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          {t("login.password")}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("login.signingIn") : t("login.signIn")}
        </button>
        <p className="hint">
          <Trans i18nKey="login.hint" components={{ code: <code /> }} />
        </p>
      </form>
    </div>
  );
}
