import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Audience, api } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { Link } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";

type Failure = { message: string; journeys: string[] };

/** The journeys a 409 `audience_in_use` names (its details), so the refusal can link to them. */
function journeysInUse(err: unknown): string[] {
  if (!(err instanceof ApiError) || err.code !== "audience_in_use") return [];
  const details = err.details as { journeys?: unknown } | null;
  return Array.isArray(details?.journeys)
    ? details.journeys.filter((j): j is string => typeof j === "string")
    : [];
}

/**
 * Confirms deleting a saved audience. The server refuses (409) while a journey's live version
 * or draft uses it — deleting it would silently stop that journey's entries — and the refusal
 * is shown here with links to those journeys rather than swallowed.
 */
export function DeleteAudienceDialog({
  audience,
  onClose,
  onDeleted,
}: {
  audience: Audience;
  onClose: () => void;
  onDeleted: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const blocked = (failure?.journeys.length ?? 0) > 0;

  async function remove() {
    setBusy(true);
    setFailure(null);
    try {
      await api.deleteAudience(audience.id);
      onDeleted(audience.id);
    } catch (err) {
      setFailure({
        message: err instanceof Error ? err.message : String(err),
        journeys: journeysInUse(err),
      });
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("deleteAudience.title", { name: audience.name })} onClose={onClose}>
      <p>{t("deleteAudience.intro")}</p>
      {failure && (
        <div className="error" role="alert">
          <p>{t("deleteAudience.failed", { message: failure.message })}</p>
          {failure.journeys.length > 0 && (
            <p>
              {t("deleteAudience.open")}{" "}
              {failure.journeys.map((j, k) => (
                <span key={j}>
                  {k > 0 && t("deleteAudience.listSeparator")}
                  <Link href={editorPath(j)}>{j}</Link>
                </span>
              ))}{" "}
              {t("deleteAudience.repoint", { count: failure.journeys.length })}
            </p>
          )}
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          {failure ? t("common.close") : t("common.cancel")}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => void remove()}
          disabled={busy || blocked}
        >
          {busy ? t("deleteAudience.deleting") : t("deleteAudience.submit")}
        </button>
      </div>
    </Dialog>
  );
}
