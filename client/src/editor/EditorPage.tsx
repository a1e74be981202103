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

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; detail: JourneyDetail; draft: Journey };

/** The editor page: loads the journey, then hands its draft to the editor. */
export default function EditorPage({ journeyId }: { journeyId: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
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
      <Editor key={journeyId} detail={load.detail} initial={load.draft} />
    </ReactFlowProvider>
  );
}

const VALIDATE_DEBOUNCE_MS = 150;

function Editor({ detail, initial }: { detail: JourneyDetail; initial: Journey }) {
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
  const [notice, setNotice] = useState<string | null>(null);
  const [simulating, setSimulating] = useState(false);
  // The simulated path painted on the canvas; cleared when the simulator closes.
  const [simPath, setSimPath] = useState<PathHighlight | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const commands = useCommands(editor, wrapper, measured);
  useShortcuts(editor, commands);
  const settled = useDebounced(doc, VALIDATE_DEBOUNCE_MS);
  const issues = useMemo(() => validate(settled), [settled]);
  const byNode = useMemo(() => issuesByNode(issues), [issues]);
  const errors = issues.filter((i) => i.severity === "error").length;
  const save = useAutosave(doc, meta.status !== "archived");
  const liveCounts = useLiveCounts(doc.id);

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
      setNotice(done);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
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
        liveVersion={meta.liveVersion}
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
          setSimulating(!simulating);
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
      <div className={simulating ? "editor-body is-simulating" : "editor-body"}>
        <Palette commands={commands} />
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
        {/* Simulating is its own mode: the simulator takes the inspector's column. */}
        {simulating ? (
          <SimulatePanel
            doc={doc}
            onClose={() => setSimulating(false)}
            onPath={setSimPath}
            onFocusNode={commands.focusNode}
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
            setPublishing(false);
            setNotice(`v${r.version} is live.`);
          }}
        />
      )}
    </div>
  );
}
