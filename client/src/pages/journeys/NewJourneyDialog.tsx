import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { blankJourney, slugify } from "../../editor/new-journey.ts";
import { navigate } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";

/** Creates a blank journey (just a trigger) and opens it in the editor. */
export function NewJourneyDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [id, setId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const effectiveId = id ?? slugify(name);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.createJourney(blankJourney(effectiveId, name.trim()));
      navigate(editorPath(effectiveId));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("journeys.new")} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label>
          {t("newJourney.name")}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={200}
            autoFocus
          />
        </label>
        <label>
          {t("newJourney.id")}
          <input
            className="mono-input"
            value={effectiveId}
            pattern="[A-Za-z0-9_\-]{1,64}"
            onChange={(e) => setId(e.target.value)}
            required
          />
          <span className="field-hint muted">{t("newJourney.idHint")}</span>
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy || name.trim() === ""}>
            {t("newJourney.create")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
