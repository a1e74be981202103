import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { api, type JourneySummary } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { useFormat } from "../../i18n/format.ts";
import { STATUS_LABELS } from "./list-filter.ts";

/**
 * Confirms archiving or unarchiving from the journey list, saying what it does to people:
 * archiving (server/journeys/store.ts archiveJourney) exits every user in the journey at once
 * — logged on their timelines, nothing more sent — and stops new entries; unarchiving
 * (server/journeys/unarchive.ts) brings the journey back paused or as a draft, never running,
 * and does not bring those users back.
 */
export function ArchiveDialog({
  journey,
  onClose,
  onDone,
}: {
  journey: JourneySummary;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const archiving = journey.status !== "archived";
  const published = journey.version !== null;

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      if (archiving) {
        const { exited } = await api.archive(journey.id);
        onDone(t("archive.archived", { name: journey.name, count: exited }));
      } else {
        const { status } = await api.unarchive(journey.id);
        onDone(t("archive.unarchived", { name: journey.name, status: t(STATUS_LABELS[status]) }));
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={
        archiving
          ? t("archive.archiveTitle", { name: journey.name })
          : t("archive.unarchiveTitle", { name: journey.name })
      }
      onClose={onClose}
    >
      {archiving ? (
        <p data-testid="archive-consequence">
          {journey.activeUsers > 0 ? (
            <Trans
              i18nKey="archive.exitNow"
              count={journey.activeUsers}
              values={{ users: format.number(journey.activeUsers) }}
              components={{ strong: <strong /> }}
            />
          ) : (
            t("archive.nobodyIn")
          )}{" "}
          {t("archive.nobodyNew")}
        </p>
      ) : (
        <p data-testid="archive-consequence">
          {published ? t("archive.backPaused") : t("archive.backDraft")}{" "}
          {t("archive.exitedStayOut")}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {archiving
            ? t("archive.archiveFailed", { message: error })
            : t("archive.unarchiveFailed", { message: error })}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          {t("common.cancel")}
        </button>
        <button
          type="button"
          className={archiving ? "danger" : "primary"}
          onClick={() => void confirm()}
          disabled={busy}
        >
          {archiving
            ? busy
              ? t("archive.archiving")
              : t("archive.archiveJourney")
            : busy
              ? t("archive.unarchiving")
              : t("archive.unarchiveJourney")}
        </button>
      </div>
    </Dialog>
  );
}
