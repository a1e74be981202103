import { useState } from "react";
import { api, type JourneySummary } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";

const users = (n: number) => `${n.toLocaleString()} user${n === 1 ? "" : "s"}`;

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
        onDone(`Archived “${journey.name}”; ${users(exited)} exited.`);
      } else {
        const { status } = await api.unarchive(journey.id);
        onDone(`Unarchived “${journey.name}”: it is ${status} now.`);
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={archiving ? `Archive “${journey.name}”?` : `Unarchive “${journey.name}”?`}
      onClose={onClose}
    >
      {archiving ? (
        <p data-testid="archive-consequence">
          {journey.activeUsers > 0 ? (
            <>
              The <strong>{users(journey.activeUsers)}</strong> in this journey now exit at once:
              nothing more is sent to them, and their timelines say “journey archived”.
            </>
          ) : (
            "Nobody is in this journey now."
          )}{" "}
          Nobody new enters. You can unarchive it later, but people who exit now do not come back.
        </p>
      ) : (
        <p data-testid="archive-consequence">
          {published
            ? "It comes back paused, with new entries skipped: nothing is sent until you resume it."
            : "It comes back as a draft you can edit and publish."}{" "}
          People who exited when it was archived do not come back.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          Could not {archiving ? "archive" : "unarchive"}: {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button
          type="button"
          className={archiving ? "danger" : "primary"}
          onClick={() => void confirm()}
          disabled={busy}
        >
          {archiving
            ? busy
              ? "Archiving…"
              : "Archive journey"
            : busy
              ? "Unarchiving…"
              : "Unarchive journey"}
        </button>
      </div>
    </Dialog>
  );
}
