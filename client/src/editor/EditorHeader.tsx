import { useTranslation } from "react-i18next";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import type { JourneyStatus, PauseEntries } from "../api.ts";
import { useCan } from "../permissions.ts";
import { Link, useRoute } from "../router/router.tsx";
import { resultsPath } from "../router/routes.ts";
import type { SaveState } from "./useAutosave.ts";
import { type DraftState, draftLabel } from "./versions/draft-state.ts";

function saveLabel(s: SaveState): string {
  switch (s.kind) {
    case "saved":
      return "Saved";
    case "pending":
    case "saving":
      return "Saving…";
    case "error":
      return s.message;
    default:
      return assertNever(s);
  }
}

export function EditorHeader({
  name,
  status,
  pauseEntries,
  draft,
  save,
  errors,
  canUndo,
  canRedo,
  onUndo,
  onRedo,
  onLayout,
  onExport,
  onPublish,
  onPause,
  onResume,
  busy,
  simulating,
  onSimulate,
  versionsOpen,
  onVersions,
  onCompareLive,
}: {
  name: string;
  status: JourneyStatus;
  /** While paused: what triggers do meanwhile (chosen in the Pause dialog). */
  pauseEntries: PauseEntries | null;
  /** The draft against the version users are on: always visible. */
  draft: DraftState;
  save: SaveState;
  errors: number;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onExport: () => void;
  onPublish: () => void;
  onPause: () => void;
  onResume: () => void;
  busy: boolean;
  simulating: boolean;
  onSimulate: () => void;
  versionsOpen: boolean;
  onVersions: () => void;
  /** The draft-state line as a button: compare the draft with the live version. */
  onCompareLive: () => void;
}) {
  const route = useRoute();
  const { t } = useTranslation();
  const can = useCan();
  const editable = can("editJourney");
  return (
    <header className="editor-head">
      <Link href="/" className="back" aria-label="Back to journeys">
        ←
      </Link>
      <div className="editor-title">
        <h2>{name}</h2>
        <span className={`badge badge-${status}`}>{status}</span>
        {status === "paused" && pauseEntries && (
          <span className="muted small" data-testid="pause-entries">
            {pauseEntries === "wait"
              ? "new entries wait at the start"
              : "new entries are skipped (counted in Results)"}
          </span>
        )}
        {draft.kind === "differs" || draft.kind === "same" ? (
          <button
            type="button"
            className={`draft-state draft-${draft.kind}`}
            data-testid="draft-state"
            onClick={onCompareLive}
            title={`Compare the draft with v${draft.version}`}
          >
            {draftLabel(t, draft, status)}
          </button>
        ) : (
          <span className={`draft-state draft-${draft.kind}`} data-testid="draft-state">
            {draftLabel(t, draft, status)}
          </span>
        )}
      </div>
      {editable ? (
        <output
          className={`save-state save-${save.kind}`}
          aria-live="polite"
          data-testid="save-state"
        >
          {saveLabel(save)}
        </output>
      ) : (
        <span
          className="badge badge-readonly"
          data-testid="read-only"
          title="Your role can look, simulate and compare, not edit"
        >
          Read-only
        </span>
      )}
      <span className="spacer" />
      <div className="toolbar" role="toolbar" aria-label="Editor">
        {editable && (
          <>
            <button
              type="button"
              className="ghost"
              onClick={onUndo}
              disabled={!canUndo}
              title="Undo (Ctrl/Cmd+Z)"
            >
              Undo
            </button>
            <button
              type="button"
              className="ghost"
              onClick={onRedo}
              disabled={!canRedo}
              title="Redo (Ctrl/Cmd+Shift+Z)"
            >
              Redo
            </button>
            <button
              type="button"
              className="ghost"
              onClick={onLayout}
              title="Arrange left to right"
            >
              Auto-layout
            </button>
          </>
        )}
        {can("exportJourney") && (
          <button type="button" className="ghost" onClick={onExport}>
            Export
          </button>
        )}
        {route.page === "editor" && (
          <Link
            href={resultsPath(route.journeyId)}
            className="button ghost"
            title="Recipients, deliveries, clicks and conversions per send node and split arm"
          >
            Results
          </Link>
        )}
        <button
          type="button"
          className={versionsOpen ? "ghost is-on" : "ghost"}
          onClick={onVersions}
          aria-pressed={versionsOpen}
          title="Published versions: open, compare, restore; the journey's activity"
        >
          Versions
        </button>
        <button
          type="button"
          className={simulating ? "ghost is-on" : "ghost"}
          onClick={onSimulate}
          aria-pressed={simulating}
          title="Run the draft for one contact and a timeline of events"
        >
          Simulate
        </button>
        {status === "live" && can("pauseJourney") && (
          <button type="button" onClick={onPause} disabled={busy}>
            Pause
          </button>
        )}
        {status === "paused" && can("resumeJourney") && (
          <button type="button" onClick={onResume} disabled={busy}>
            Resume
          </button>
        )}
        {can("publishJourney") && (
          <button
            type="button"
            className="primary"
            onClick={onPublish}
            disabled={errors > 0 || busy || status === "archived"}
            title={
              errors > 0
                ? `Fix ${errors} error${errors === 1 ? "" : "s"} to publish`
                : "Review and publish"
            }
          >
            Publish
          </button>
        )}
      </div>
    </header>
  );
}
