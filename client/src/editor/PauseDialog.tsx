import { useState } from "react";
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
    <Dialog title={`Pause “${name}”?`} onClose={onCancel}>
      <p>
        Users in the journey are held where they are and nothing is sent until you resume. What
        should happen to people who trigger the journey while it is paused?
      </p>
      <fieldset className="inflight-policy" aria-label="New entries while paused">
        <label>
          <input
            type="radio"
            name="pause-entries"
            checked={entries === "wait"}
            onChange={() => setEntries("wait")}
          />
          <span>
            <strong>Enter and wait</strong>
            <br />
            <span className="muted small">
              They join the journey and wait at its start; on resume they continue with everyone
              else.
            </span>
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
            <strong>Skip them</strong>
            <br />
            <span className="muted small">
              They do not join, now or on resume. Each skip is counted on the journey and shown on
              the contact's timeline.
            </span>
          </span>
        </label>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          Could not pause: {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void confirm()}
          disabled={busy || entries === null}
          title={entries === null ? "Choose what happens to new entries first" : undefined}
        >
          {busy ? "Pausing…" : "Pause journey"}
        </button>
      </div>
    </Dialog>
  );
}
