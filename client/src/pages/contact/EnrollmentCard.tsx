import { useEffect, useMemo, useState } from "react";
import type { Journey } from "../../../../engine/index.ts";
import type { Enrollment } from "../../api.ts";
import { pathFromTimeline } from "../../canvas/path.ts";
import { ReadOnlyCanvas } from "../../canvas/ReadOnlyCanvas.tsx";
import { Link } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";
import { Timeline } from "./Timeline.tsx";
import { versionDoc } from "./versions.ts";

type Doc =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; doc: Journey };

function statusLine(e: Enrollment): string {
  if (e.status !== "active") {
    return e.exitReason ? `${e.status} · ${e.exitReason.replaceAll("_", " ")}` : e.status;
  }
  if (e.held) return `held on ${e.currentNode}: the journey is paused`;
  if (e.wakeAt) return `on ${e.currentNode} until ${new Date(e.wakeAt).toLocaleString()}`;
  return `on ${e.currentNode}, waiting for an event`;
}

/** One journey of one contact: where they are on its canvas, and how they got there. */
export function EnrollmentCard({ enrollment: e }: { enrollment: Enrollment }) {
  const [doc, setDoc] = useState<Doc>({ state: "loading" });
  useEffect(() => {
    let live = true;
    versionDoc(e.journeyId, e.version)
      .then((d) => live && setDoc({ state: "ready", doc: d }))
      .catch(
        (err: unknown) =>
          live &&
          setDoc({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
    return () => {
      live = false;
    };
  }, [e.journeyId, e.version]);

  const highlight = useMemo(
    () =>
      doc.state === "ready"
        ? pathFromTimeline(doc.doc, e.timeline, e.status === "active" ? e.currentNode : null)
        : null,
    [doc, e.timeline, e.status, e.currentNode],
  );

  return (
    <article
      className="card enrollment"
      aria-label={`${e.journeyName} v${e.version}`}
      data-enrollment={e.id}
      data-current-node={e.status === "active" ? e.currentNode : ""}
    >
      <header className="enrollment-head">
        <div>
          <h3>
            <Link href={editorPath(e.journeyId)}>{e.journeyName}</Link>{" "}
            <span className="muted small">v{e.version}</span>
          </h3>
          <p className="muted small" data-testid="enrollment-status">
            {statusLine(e)}
          </p>
        </div>
        <span className={`badge badge-enr-${e.status}`}>{e.status}</span>
      </header>
      <div className="enrollment-body">
        <div className="enrollment-canvas">
          {doc.state === "loading" && (
            <div className="ro-canvas ro-canvas-loading muted">Loading the journey…</div>
          )}
          {doc.state === "error" && (
            <div className="ro-canvas ro-canvas-loading error">
              Cannot draw v{e.version}: {doc.message}
            </div>
          )}
          {doc.state === "ready" && (
            <ReadOnlyCanvas
              doc={doc.doc}
              highlight={highlight}
              label={`${e.journeyName}: where this contact is`}
            />
          )}
        </div>
        <div className="enrollment-timeline">
          <h4 className="panel-title">Timeline</h4>
          <Timeline rows={e.timeline} label={`${e.journeyName} timeline`} />
        </div>
      </div>
    </article>
  );
}
