import { useReactFlow } from "@xyflow/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { hasErrors, type Journey, parseJourney, validate } from "../../../engine/index.ts";
import { api, type JourneyDetail, type JourneyStatus, type PauseEntries } from "../api.ts";
import type { PathHighlight } from "../canvas/path.ts";
import { useLiveCounts } from "../live/useLiveCounts.ts";
import { useTodayCounts } from "../live/useTodayCounts.ts";
import { useCan } from "../permissions.ts";
import { Canvas } from "./Canvas.tsx";
import { useCommands } from "./commands.ts";
import type { XY } from "./defaults.ts";
import { EditorHeader } from "./EditorHeader.tsx";
import { issueText } from "./issue-text.ts";
import { LeaveDialog } from "./LeaveDialog.tsx";
import { layoutJourney } from "./layout.ts";
import type { Size } from "./mapping.ts";
import { TodayCountsContext } from "./nodes/LiveCounts.tsx";
import { Palette } from "./Palette.tsx";
import { PauseDialog } from "./PauseDialog.tsx";
import { PublishDialog } from "./PublishDialog.tsx";
import { IssuesPanel } from "./panel/IssuesPanel.tsx";
import { SidePanel } from "./SidePanel.tsx";
import { SendFactsContext } from "./send-facts.ts";
import { SimulatePanel } from "./simulate/SimulatePanel.tsx";
import { useAutosave } from "./useAutosave.ts";
import { useDebounced } from "./useDebounced.ts";
import { useDraftIssues } from "./useDraftIssues.ts";
import { useEditor } from "./useEditor.ts";
import { useLeaveGuard } from "./useLeaveGuard.ts";
import { useShortcuts } from "./useShortcuts.ts";
import { useHistory } from "./versions/useHistory.ts";
import { useVersionCounts } from "./versions/useVersionCounts.ts";
import { VersionStage } from "./versions/VersionStage.tsx";
import { VersionsPanel } from "./versions/VersionsPanel.tsx";

const VALIDATE_DEBOUNCE_MS = 150;

/** What the editor reopens with after the draft was replaced under it. */
export type Resume = { notice: string };
type Side = "inspector" | "simulate" | "versions";

/**
 * The journey editor on one draft: canvas, palette and inspector; autosave, validation, live
 * counts; the simulator and the Versions panel in the side column; publish, pause and resume.
 */
export function Editor({
  detail,
  initial,
  resume,
  onReplaced,
}: {
  detail: JourneyDetail;
  initial: Journey;
  resume: Resume | null;
  onReplaced: (detail: JourneyDetail, notice: string) => void;
}) {
  const { t } = useTranslation();
  const editor = useEditor(initial);
  const { doc } = editor;
  // Roles that cannot save a draft (support) get the editor to look, simulate and compare in:
  // no palette, no canvas edits, the inspector's fields disabled, nothing autosaved.
  const editable = useCan()("editJourney");
  const rf = useReactFlow();
  const [meta, setMeta] = useState<{
    status: JourneyStatus;
    liveVersion: number | null;
    pauseEntries: PauseEntries | null;
  }>({
    status: detail.status,
    liveVersion: detail.liveVersion,
    pauseEntries: detail.pause?.entries ?? null,
  });
  const [measured, setMeasured] = useState<ReadonlyMap<string, Size>>(new Map());
  const [fallback, setFallback] = useState<ReadonlyMap<string, XY>>(new Map());
  const [publishing, setPublishing] = useState(false);
  const [pausing, setPausing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(resume?.notice ?? null);
  const [side, setSide] = useState<Side>(resume ? "versions" : "inspector");
  const simulating = side === "simulate";
  // The simulated path painted on the canvas; cleared when the simulator closes.
  const [simPath, setSimPath] = useState<PathHighlight | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const commands = useCommands(editor, wrapper, measured);
  const settled = useDebounced(doc, VALIDATE_DEBOUNCE_MS);
  const { facts, issues, byNode, errors } = useDraftIssues(settled);
  const save = useAutosave(doc, editable && meta.status !== "archived");
  // Counts are the live version's users, painted on the draft's nodes of the same id: a step
  // the draft added has no count, and users on older versions are not counted here.
  const pulse = useLiveCounts(doc.id);
  const liveCounts = useVersionCounts(doc.id, meta.liveVersion, pulse);
  const today = useTodayCounts(doc.id, pulse);
  const history = useHistory({
    journeyId: doc.id,
    liveVersion: meta.liveVersion,
    settled,
    flush: save.flush,
    clearSelection: () => editor.select([]),
    notify: setNotice,
    showPanel: () => setSide("versions"),
    onReplaced,
  });
  const { stage } = history;

  const [leaving, answerLeaving] = useLeaveGuard(save);
  useShortcuts(editor, commands, stage.kind === "draft" && editable);

  useEffect(() => {
    document.title = `${doc.name} · Waymark`;
  }, [doc.name]);

  // Imported journeys may carry no positions: lay those out for display only. Opening a
  // journey must not rewrite its draft; positions are saved once the user moves or lays out.
  useEffect(() => {
    if (initial.nodes.every((n) => n.position)) return;
    void layoutJourney(initial).then((positions) => {
      setFallback(positions);
      requestAnimationFrame(() => void rf.fitView({ padding: 0.2, maxZoom: 1.1 }));
    });
  }, [initial, rf]);

  // The simulator narrows the canvas: re-fit so the path it paints stays in view.
  useEffect(() => {
    if (!simulating) return;
    // After React Flow's ResizeObserver has seen the new width (it runs after layout, a frame
    // after this effect), or fitView would use the old one.
    const timer = setTimeout(() => void rf.fitView({ padding: 0.2, maxZoom: 1.1 }), 60);
    return () => clearTimeout(timer);
  }, [simulating, rf]);

  async function openPublish() {
    try {
      await save.flush();
      setPublishing(true);
    } catch {
      setNotice(t("editor.notice.saveBeforePublish"));
    }
  }

  async function statusAction(run: () => Promise<{ status: JourneyStatus }>, done: string) {
    setBusy(true);
    try {
      const r = await run();
      setMeta((m) => ({ ...m, status: r.status }));
      history.changed();
      setNotice(done);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function exportJson() {
    // The file must import again, so a draft that does not parse yet is not exported (the
    // server refuses it too): say what to fix instead of downloading an error.
    const parsed = parseJourney(doc);
    if (!parsed.ok) {
      setNotice(
        t("editor.notice.notExported", {
          issue: parsed.issues[0] ? issueText(t, parsed.issues[0]) : t("editor.notice.seeIssues"),
        }),
      );
      return;
    }
    try {
      await save.flush();
      const a = document.createElement("a");
      a.href = api.exportUrl(doc.id);
      a.download = `${doc.id}.json`;
      a.click();
    } catch {
      setNotice(t("editor.notice.exportStale"));
    }
  }

  return (
    <SendFactsContext.Provider value={facts}>
      <div className="editor">
        <EditorHeader
          name={doc.name}
          status={meta.status}
          pauseEntries={meta.pauseEntries}
          draft={history.draft}
          save={save.state}
          errors={errors}
          canUndo={editor.canUndo}
          canRedo={editor.canRedo}
          onUndo={editor.undo}
          onRedo={editor.redo}
          onLayout={() => void commands.autoLayout()}
          onExport={() => void exportJson()}
          onPublish={() => void openPublish()}
          simulating={simulating}
          onSimulate={() => {
            if (simulating) setSimPath(null);
            setSide(simulating ? "inspector" : "simulate");
          }}
          versionsOpen={side === "versions"}
          onVersions={() => {
            if (side === "versions") {
              setSide("inspector");
              history.backToDraft();
            } else {
              setSimPath(null);
              setSide("versions");
            }
          }}
          onCompareLive={() => {
            if (meta.liveVersion !== null) history.compare(meta.liveVersion, "draft");
          }}
          onPause={() => setPausing(true)}
          onResume={() => void statusAction(() => api.resume(doc.id), t("editor.notice.resumed"))}
          busy={busy}
        />
        {notice && (
          <div className="toast" role="status">
            {notice}
            <button
              type="button"
              className="ghost"
              aria-label={t("editor.notice.dismiss")}
              onClick={() => setNotice(null)}
            >
              ×
            </button>
          </div>
        )}
        <div
          className={`editor-body${simulating ? " is-simulating" : ""}${side === "versions" ? " is-versions" : ""}`}
        >
          {stage.kind === "draft" && editable ? (
            <Palette commands={commands} />
          ) : stage.kind === "draft" ? (
            <div className="palette palette-off muted small" data-testid="palette-read-only">
              {t("editor.readOnlyPalette")}
            </div>
          ) : (
            <div className="palette palette-off muted small">{t("editor.historyPalette")}</div>
          )}
          {stage.kind !== "draft" ? (
            <VersionStage
              journeyId={doc.id}
              pulse={pulse}
              stage={stage}
              onBack={history.backToDraft}
              onRestore={(v) => {
                setSide("versions");
                history.setConfirm(v);
              }}
              onCompareWithDraft={(v) => history.compare(v, "draft")}
            />
          ) : (
            <div className="canvas-column">
              <TodayCountsContext.Provider value={meta.liveVersion === null ? null : today}>
                <Canvas
                  editor={editor}
                  commands={commands}
                  issues={byNode}
                  fallback={fallback}
                  liveCounts={liveCounts}
                  highlight={simPath}
                  measured={measured}
                  setMeasured={setMeasured}
                  wrapper={wrapper}
                  readOnly={!editable}
                />
              </TodayCountsContext.Provider>
              {doc.nodes.length <= 1 && editable && (
                <div className="canvas-empty" aria-hidden>
                  Drag a step from the left onto the canvas, or select the trigger and click a step
                  to chain it.
                </div>
              )}
              <IssuesPanel issues={issues} onSelect={commands.focusNode} />
            </div>
          )}
          {/* Simulating and versions are modes of their own: they take the inspector's column. */}
          {side === "simulate" ? (
            <SimulatePanel
              doc={doc}
              onClose={() => setSide("inspector")}
              onPath={setSimPath}
              onFocusNode={commands.focusNode}
            />
          ) : side === "versions" ? (
            <VersionsPanel
              journeyId={doc.id}
              status={meta.status}
              draft={history.draft}
              stage={stage}
              refresh={history.tick}
              confirm={history.confirm}
              onConfirm={history.setConfirm}
              onOpen={history.open}
              onCompare={history.compare}
              onRestore={history.restore}
              onDiscard={history.discard}
              onFocusNode={commands.focusNode}
              onClose={() => {
                setSide("inspector");
                history.backToDraft();
              }}
            />
          ) : (
            <SidePanel editor={editor} commands={commands} issues={byNode} readOnly={!editable} />
          )}
        </div>
        {leaving && (
          <LeaveDialog
            reason={
              save.state.kind === "error"
                ? t("editor.leave.saveFailed", { message: save.state.message })
                : t("editor.leave.stillSaving")
            }
            onAnswer={answerLeaving}
          />
        )}
        {pausing && (
          <PauseDialog
            name={doc.name}
            onCancel={() => setPausing(false)}
            onConfirm={async (entries) => {
              const r = await api.pause(doc.id, entries);
              setMeta((m) => ({ ...m, status: r.status, pauseEntries: r.entries }));
              history.changed();
              setPausing(false);
              setNotice(
                entries === "wait" ? t("editor.notice.pausedWait") : t("editor.notice.pausedSkip"),
              );
            }}
          />
        )}
        {publishing && (
          <PublishDialog
            doc={doc}
            liveVersion={meta.liveVersion}
            onCancel={() => setPublishing(false)}
            onConfirm={async (options) => {
              if (hasErrors(validate(doc))) throw new Error(t("editor.notice.hasErrors"));
              const r = await api.publish(doc.id, options);
              setMeta({ status: "live", liveVersion: r.version, pauseEntries: null });
              history.changed();
              setPublishing(false);
              setNotice(t("editor.notice.live", { version: r.version }));
            }}
          />
        )}
      </div>
    </SendFactsContext.Provider>
  );
}
