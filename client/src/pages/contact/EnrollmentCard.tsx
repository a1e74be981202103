import type { TFunction } from "i18next";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Journey } from "../../../../engine/index.ts";
import type { Enrollment } from "../../api.ts";
import { pathFromTimeline } from "../../canvas/path.ts";
import { ReadOnlyCanvas } from "../../canvas/ReadOnlyCanvas.tsx";
import { formatDateTime } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { Link } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";
import { exitReasonLabel } from "./sentences.ts";
import { Timeline } from "./Timeline.tsx";
import { versionDoc } from "./versions.ts";

type Doc =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; doc: Journey };

const ENROLLMENT_STATUSES: Record<string, string> = {
  active: msgKey("enrollment.status.active"),
  completed: msgKey("enrollment.status.completed"),
  exited: msgKey("enrollment.status.exited"),
};

/** An enrollment status in words; a status this console does not know shows as it is. */
function statusLabel(t: TFunction, status: string): string {
  const key = ENROLLMENT_STATUSES[status];
  return key ? t(key) : status;
}

function statusLine(e: Enrollment, t: TFunction, locale: string): string {
  if (e.status !== "active") {
    const status = statusLabel(t, e.status);
    return e.exitReason
      ? t("enrollment.endedBecause", { status, reason: exitReasonLabel(t, e.exitReason) })
      : status;
  }
  if (e.held) return t("enrollment.held", { node: e.currentNode });
  if (e.wakeAt)
    return t("enrollment.until", {
      node: e.currentNode,
      time: formatDateTime(locale, e.wakeAt),
    });
  return t("enrollment.waitingEvent", { node: e.currentNode });
}

/** One journey of one contact: where they are on its canvas, and how they got there. */
export function EnrollmentCard({
  enrollment: e,
  zone,
}: {
  enrollment: Enrollment;
  /** The contact's time zone: the timeline's engine-chosen times are read in it. */
  zone: string | null;
}) {
  const { t, i18n } = useTranslation();
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
            {statusLine(e, t, i18n.language)}
          </p>
        </div>
        <span className={`badge badge-enr-${e.status}`}>{statusLabel(t, e.status)}</span>
      </header>
      <div className="enrollment-body">
        <div className="enrollment-canvas">
          {doc.state === "loading" && (
            <div className="ro-canvas ro-canvas-loading muted">
              {t("enrollment.loadingJourney")}
            </div>
          )}
          {doc.state === "error" && (
            <div className="ro-canvas ro-canvas-loading error">
              {t("enrollment.cannotDraw", { version: e.version, message: doc.message })}
            </div>
          )}
          {doc.state === "ready" && (
            <ReadOnlyCanvas
              doc={doc.doc}
              highlight={highlight}
              label={t("enrollment.canvasLabel", { journey: e.journeyName })}
            />
          )}
        </div>
        <div className="enrollment-timeline">
          <h4 className="panel-title">{t("enrollment.timeline")}</h4>
          <Timeline
            rows={e.timeline}
            label={t("enrollment.timelineLabel", { journey: e.journeyName })}
            zone={zone}
          />
        </div>
      </div>
    </article>
  );
}
