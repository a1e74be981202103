import "@xyflow/react/dist/style.css";
import "./editor.css";
import "./panel/panel.css";
import "../canvas/canvas.css";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { hasErrors, type Journey, validate } from "../../../engine/index.ts";
import { ApiError, api, type JourneyDetail, type JourneyStatus } from "../api.ts";
import type { PathHighlight } from "../canvas/path.ts";
import { useLiveCounts } from "../live/useLiveCounts.ts";
import { Link } from "../router/router.tsx";
import { Canvas } from "./Canvas.tsx";
import { useCommands } from "./commands.ts";
import type { XY } from "./defaults.ts";
import { diffJourneys } from "./diff.ts";
import { EditorHeader } from "./EditorHeader.tsx";
import { layoutJourney } from "./layout.ts";
import { issuesByNode, type Size } from "./mapping.ts";
import { Palette } from "./Palette.tsx";
import { PublishDialog } from "./PublishDialog.tsx";
import { IssuesPanel } from "./panel/IssuesPanel.tsx";
import { SidePanel } from "./SidePanel.tsx";
import { SimulatePanel } from "./simulate/SimulatePanel.tsx";
import { useAutosave } from "./useAutosave.ts";
import { useDebounced } from "./useDebounced.ts";
import { useEditor } from "./useEditor.ts";
import { useShortcuts } from "./useShortcuts.ts";
import { draftState } from "./versions/draft-state.ts";
import {
  loadCompare,
  loadVersion,
  type Stage,
  type Side as VersionSide,
} from "./versions/stage.ts";
import { useLiveDoc } from "./versions/useLiveDoc.ts";
import { useVersionCounts } from "./versions/useVersionCounts.ts";
import { VersionStage } from "./versions/VersionStage.tsx";
import { VersionsPanel } from "./versions/VersionsPanel.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; detail: JourneyDetail; draft: Journey };

/** The editor page: loads the journey, then hands its draft to the editor. */
export default function EditorPage({ journeyId }: { journeyId: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  // A revert or discard replaces the draft on the server: the editor starts again from it
  // (fresh undo history, fresh autosave baseline), keeping the Versions panel open.
  const [generation, setGeneration] = useState(0);
  const [resume, setResume] = useState<Resume | null>(null);
  useEffect(() => {
    setLoad({ state: "loading" });
    api
      .journey(journeyId)
      .then((detail) =>
        detail.draft
          ? setLoad({ state: "ready", detail, draft: detail.draft })
          : setLoad({ state: "error", message: "This journey has no draft to edit." }),
      )
      .catch((err: unknown) =>
        setLoad({
          state: "error",
          message:
            err instanceof ApiError && err.status === 404
              ? `No journey "${journeyId}".`
              : String(err),
        }),
      );
  }, [journeyId]);

  if (load.state === "loading") return <div className="editor-loading muted">Loading journey…</div>;
  if (load.state === "error") {
    return (
      <div className="empty card editor-missing">
        <h3>Cannot open this journey</h3>
        <p className="muted">{load.message}</p>
        <Link href="/">Back to journeys</Link>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor
        key={`${journeyId}:${generation}`}
        detail={load.detail}
        initial={load.draft}
        resume={resume}
        onReplaced={(detail, notice) => {
          if (!detail.draft) return;
          setLoad({ state: "ready", detail, draft: detail.draft });
          setResume({ notice });
          setGeneration((g) => g + 1);
        }}
      />
    </ReactFlowProvider>
  );
}

const VALIDATE_DEBOUNCE_MS = 150;

/** What the editor reopens with after the draft was replaced under it. */
type Resume = { notice: string };
type Side = "inspector" | "simulate" | "versions";

function Editor({
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
  const editor = useEditor(initial);
  const { doc } = editor;
  const rf = useReactFlow();
  const [meta, setMeta] = useState<{ status: JourneyStatus; liveVersion: number | null }>({
    status: detail.status,
    liveVersion: detail.liveVersion,
  });
  const [measured, setMeasured] = useState<ReadonlyMap<string, Size>>(new Map());
  const [fallback, setFallback] = useState<ReadonlyMap<string, XY>>(new Map());
  const [publishing, setPublishing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(resume?.notice ?? null);
  const [side, setSide] = useState<Side>(resume ? "versions" : "inspector");
  const simulating = side === "simulate";
  const [stage, setStage] = useState<Stage>({ kind: "draft" });
  const [confirm, setConfirm] = useState<number | "discard" | null>(null);
  const [historyTick, setHistoryTick] = useState(0);
  // The simulated path painted on the canvas; cleared when the simulator closes.
  const [simPath, setSimPath] = useState<PathHighlight | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const commands = useCommands(editor, wrapper, measured);
  useShortcuts(editor, commands, stage.kind === "draft");
  const settled = useDebounced(doc, VALIDATE_DEBOUNCE_MS);
  const issues = useMemo(() => validate(settled), [settled]);
  const byNode = useMemo(() => issuesByNode(issues), [issues]);
  const errors = issues.filter((i) => i.severity === "error").length;
  const save = useAutosave(doc, meta.status !== "archived");
  // Counts are the live version's users, painted on the draft's nodes of the same id: a step
  // the draft added has no count, and users on older versions are not counted here.
  const pulse = useLiveCounts(doc.id);
  const liveCounts = useVersionCounts(doc.id, meta.liveVersion, pulse);
  const liveDoc = useLiveDoc(doc.id, meta.liveVersion);
  const liveDiff = useMemo(
    () => (liveDoc ? diffJourneys(liveDoc, settled) : null),
    [liveDoc, settled],
  );
  const draft = draftState(meta.liveVersion, liveDiff);

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
      setNotice("Save the draft before publishing: it does not match the journey format yet.");
    }
  }

  async function statusAction(run: () => Promise<{ status: JourneyStatus }>, done: string) {
    setBusy(true);
    try {
      const r = await run();
      setMeta((m) => ({ ...m, status: r.status }));
      setHistoryTick((t) => t + 1);
      setNotice(done);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  /** Saves pending edits so the server's draft is the one on screen; false if it cannot. */
  async function flushed(): Promise<boolean> {
    try {
      await save.flush();
      return true;
    } catch {
      return false;
    }
  }

  async function showStage(load: () => Promise<Stage>) {
    try {
      setStage(await load());
      editor.select([]);
      // A stale toast ("v2 is live.") would sit over the stage's banner.
      setNotice(null);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    }
  }

  async function compare(from: VersionSide, to: VersionSide) {
    const saved = await flushed();
    setSide("versions");
    await showStage(() => loadCompare(doc.id, from, to));
    if (!saved)
      setNotice("The draft has format errors and is not saved: comparing the last saved draft.");
  }

  /** Revert or discard on the server, then reopen the editor on the new draft. */
  async function replaceDraft(
    run: () => Promise<{ version: number }>,
    done: (v: number) => string,
  ) {
    // Pending edits are saved first, so no autosave can land after the revert and undo it.
    await flushed();
    try {
      const r = await run();
      onReplaced(await api.journey(doc.id), done(r.version));
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    }
  }

  async function exportJson() {
    try {
      await save.flush();
      const a = document.createElement("a");
      a.href = api.exportUrl(doc.id);
      a.download = `${doc.id}.json`;
      a.click();
    } catch {
      setNotice("The draft is not saved (format errors), so the export would be stale.");
    }
  }

  return (
    <div className="editor">
      <EditorHeader
        name={doc.name}
        status={meta.status}
        draft={draft}
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
            setStage({ kind: "draft" });
          } else {
            setSimPath(null);
            setSide("versions");
          }
        }}
        onCompareLive={() => {
          if (meta.liveVersion !== null) void compare(meta.liveVersion, "draft");
        }}
        onPause={() =>
          void statusAction(
            () => api.pause(doc.id),
            "Paused: users are held where they are, nothing is sent.",
          )
        }
        onResume={() =>
          void statusAction(() => api.resume(doc.id), "Resumed: held users continue.")
        }
        busy={busy}
      />
      {notice && (
        <div className="toast" role="status">
          {notice}
          <button
            type="button"
            className="ghost"
            aria-label="Dismiss"
            onClick={() => setNotice(null)}
          >
            ×
          </button>
        </div>
      )}
      <div
        className={`editor-body${simulating ? " is-simulating" : ""}${side === "versions" ? " is-versions" : ""}`}
      >
        {stage.kind === "draft" ? (
          <Palette commands={commands} />
        ) : (
          <div className="palette palette-off muted small">
            Looking at history. Nothing here is editable; the draft is kept as it is.
          </div>
        )}
        {stage.kind !== "draft" ? (
          <VersionStage
            stage={stage}
            onBack={() => setStage({ kind: "draft" })}
            onRestore={(v) => {
              setSide("versions");
              setConfirm(v);
            }}
            onCompareWithDraft={(v) => void compare(v, "draft")}
          />
        ) : (
          <div className="canvas-column">
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
            />
            {doc.nodes.length <= 1 && (
              <div className="canvas-empty" aria-hidden>
                Drag a step from the left onto the canvas, or select the trigger and click a step to
                chain it.
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
            draft={draft}
            stage={stage}
            refresh={historyTick}
            confirm={confirm}
            onConfirm={setConfirm}
            onOpen={(v) => void showStage(() => loadVersion(doc.id, v))}
            onCompare={(from, to) => void compare(from, to)}
            onRestore={(v) =>
              replaceDraft(
                () => api.revert(doc.id, v),
                (n) => `v${n} is now the draft. Publish it to make it live.`,
              )
            }
            onDiscard={() =>
              replaceDraft(
                () => api.discardDraft(doc.id),
                (n) => `Draft discarded: it is v${n} again.`,
              )
            }
            onFocusNode={commands.focusNode}
            onClose={() => {
              setSide("inspector");
              setStage({ kind: "draft" });
            }}
          />
        ) : (
          <SidePanel editor={editor} commands={commands} issues={byNode} />
        )}
      </div>
      {publishing && (
        <PublishDialog
          doc={doc}
          liveVersion={meta.liveVersion}
          onCancel={() => setPublishing(false)}
          onConfirm={async (options) => {
            if (hasErrors(validate(doc))) throw new Error("the journey has errors");
            const r = await api.publish(doc.id, options);
            setMeta({ status: "live", liveVersion: r.version });
            setHistoryTick((t) => t + 1);
            setPublishing(false);
            setNotice(`v${r.version} is live.`);
          }}
        />
      )}
    </div>
  );
}
