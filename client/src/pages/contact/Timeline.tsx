import "../../components/timeline.css";
import type { TimelineRow } from "../../api.ts";
import { shortTime, typeLabel, typeTone } from "./timeline.ts";

/** One enrollment's story, oldest first; the newest row is marked so live arrivals stand out. */
export function Timeline({ rows, label }: { rows: readonly TimelineRow[]; label: string }) {
  if (rows.length === 0) {
    return <p className="muted timeline-empty">Nothing has happened on this journey yet.</p>;
  }
  return (
    <ol className="timeline" aria-label={label} data-testid="timeline">
      {rows.map((r, i) => (
        <li
          key={r.id ?? `${r.at}:${r.type}:${r.nodeId}:${i}`}
          className={`tl-row tl-${typeTone(r.type)}${i === rows.length - 1 ? " tl-latest" : ""}`}
          data-type={r.type}
        >
          <time className="tl-time mono" dateTime={new Date(r.at).toISOString()}>
            {shortTime(r.at)}
          </time>
          <span className={`tl-type tone-${typeTone(r.type)}`}>{typeLabel(r.type)}</span>
          <div className="tl-main">
            <div className="tl-detail">
              {r.detail ?? r.reason ?? r.type}
              {r.nodeId && <span className="tl-node mono">{r.nodeId}</span>}
            </div>
            {r.body !== undefined && (
              <div className="tl-body">
                <p>{r.body}</p>
                <span className="muted small">
                  {r.parts ?? 1} part{r.parts === 1 ? "" : "s"}
                  {r.messageStatus ? ` · ${r.messageStatus}` : ""}
                </span>
              </div>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
