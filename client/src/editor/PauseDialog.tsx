import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { PauseEntries } from "../api.ts";
import { Dialog } from "../components/Dialog.tsx";

/**
 * Pausing asks what new entries do meanwhile (issue #16: a trigger during a pause used to be
 * dropped without a word). Nothing is preselected: the marketer picks, then pauses.
 */
export function PauseDialog({
  name,
  onCancel,
  onConfirm,
}: {
  name: string;
  onCancel: () => void;
  onConfirm: (entries: PauseEntries) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [entries, setEntries] = useState<PauseEntries | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    if (!entries) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm(entries);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("editor.pause.title", { name })} onClose={onCancel}>
      <p>{t("editor.pause.intro")}</p>
      <fieldset className="inflight-policy" aria-label={t("editor.pause.entries")}>
        <label>
          <input
            type="radio"
            name="pause-entries"
            checked={entries === "wait"}
            onChange={() => setEntries("wait")}
          />
          <span>
            <strong>{t("editor.pause.wait")}</strong>
            <br />
            <span className="muted small">{t("editor.pause.waitHint")}</span>
          </span>
        </label>
        <label>
          <input
            type="radio"
            name="pause-entries"
            checked={entries === "skip"}
            onChange={() => setEntries("skip")}
          />
          <span>
            <strong>{t("editor.pause.skip")}</strong>
            <br />
            <span className="muted small">{t("editor.pause.skipHint")}</span>
          </span>
        </label>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {t("editor.pause.failed", { message: error })}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void confirm()}
          disabled={busy || entries === null}
          title={entries === null ? t("editor.pause.chooseFirst") : undefined}
        >
          {busy ? t("editor.pause.pausing") : t("editor.pause.confirm")}
        </button>
      </div>
    </Dialog>
  );
}
