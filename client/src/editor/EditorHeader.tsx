import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import type { JourneyStatus, PauseEntries } from "../api.ts";
import { STATUS_LABELS } from "../pages/journeys/list-filter.ts";
import { useCan } from "../permissions.ts";
import { Link, useRoute } from "../router/router.tsx";
import { resultsPath } from "../router/routes.ts";
import type { SaveState } from "./useAutosave.ts";
import { type DraftState, draftLabel } from "./versions/draft-state.ts";

export function saveLabel(t: TFunction, s: SaveState): string {
  switch (s.kind) {
    case "saved":
      return t("editor.save.saved");
    case "pending":
    case "saving":
      return t("common.saving");
    case "error":
      return t("editor.save.notSaved", { message: s.message });
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
  const { t } = useTranslation();
  const route = useRoute();
  const can = useCan();
  const editable = can("editJourney");
  return (
    <header className="editor-head">
      <Link href="/" className="back" aria-label={t("editor.page.back")}>
        ←
      </Link>
      <div className="editor-title">
        <h2>{name}</h2>
        <span className={`badge badge-${status}`}>{t(STATUS_LABELS[status])}</span>
        {status === "paused" && pauseEntries && (
          <span className="muted small" data-testid="pause-entries">
            {pauseEntries === "wait"
              ? t("editor.header.entriesWait")
              : t("editor.header.entriesSkipped")}
          </span>
        )}
        {draft.kind === "differs" || draft.kind === "same" ? (
          <button
            type="button"
            className={`draft-state draft-${draft.kind}`}
            data-testid="draft-state"
            onClick={onCompareLive}
            title={t("editor.header.compare", { version: draft.version })}
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
          {saveLabel(t, save)}
        </output>
      ) : (
        <span
          className="badge badge-readonly"
          data-testid="read-only"
          title={t("editor.header.readOnlyTip")}
        >
          {t("editor.header.readOnly")}
        </span>
      )}
      <span className="spacer" />
      <div className="toolbar" role="toolbar" aria-label={t("editor.header.toolbar")}>
        {editable && (
          <>
            <button
              type="button"
              className="ghost"
              onClick={onUndo}
              disabled={!canUndo}
              title={t("editor.header.undoTip")}
            >
              {t("editor.header.undo")}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={onRedo}
              disabled={!canRedo}
              title={t("editor.header.redoTip")}
            >
              {t("editor.header.redo")}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={onLayout}
              title={t("editor.header.layoutTip")}
            >
              {t("editor.header.layout")}
            </button>
          </>
        )}
        {can("exportJourney") && (
          <button type="button" className="ghost" onClick={onExport}>
            {t("editor.header.export")}
          </button>
        )}
        {route.page === "editor" && (
          <Link
            href={resultsPath(route.journeyId)}
            className="button ghost"
            title={t("editor.header.resultsTip")}
          >
            {t("editor.header.results")}
          </Link>
        )}
        <button
          type="button"
          className={versionsOpen ? "ghost is-on" : "ghost"}
          onClick={onVersions}
          aria-pressed={versionsOpen}
          title={t("editor.header.versionsTip")}
        >
          {t("editor.header.versions")}
        </button>
        <button
          type="button"
          className={simulating ? "ghost is-on" : "ghost"}
          onClick={onSimulate}
          aria-pressed={simulating}
          title={t("editor.header.simulateTip")}
        >
          {t("editor.header.simulate")}
        </button>
        {status === "live" && can("pauseJourney") && (
          <button type="button" onClick={onPause} disabled={busy}>
            {t("editor.header.pause")}
          </button>
        )}
        {status === "paused" && can("resumeJourney") && (
          <button type="button" onClick={onResume} disabled={busy}>
            {t("editor.header.resume")}
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
                ? t("editor.header.fixToPublish", { count: errors })
                : t("editor.header.publishTip")
            }
          >
            {t("editor.header.publish")}
          </button>
        )}
      </div>
    </header>
  );
}
