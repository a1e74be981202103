import { type FormEvent, useState } from "react";
import { ApiError, api } from "../api.ts";

/**
 * Shown while the operator still uses the one-time password printed by `npm start` (or
 * `waymark operators create`): a reminder with the form inline, so changing it is one step
 * and never blocks the console.
 */
export function PasswordBanner({ onChanged }: { onChanged: () => void }) {
  const [open, setOpen] = useState(false);
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
      setError(err instanceof ApiError ? err.message : "cannot reach the server");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="banner" role="status">
      {!open ? (
        <>
          <span>
            You signed in with a one-time password. Choose your own to keep this account safe.
          </span>
          <button type="button" className="ghost" onClick={() => setOpen(true)}>
            Change password
          </button>
        </>
      ) : (
        <form className="banner-form" onSubmit={submit}>
          <label>
            One-time password
            <input
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          </label>
          <label>
            New password (12+ characters)
            <input
              type="password"
              autoComplete="new-password"
              minLength={12}
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
            />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save password"}
          </button>
          <button type="button" className="ghost" onClick={() => setOpen(false)}>
            Later
          </button>
          {error && (
            <span className="error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
