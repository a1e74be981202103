import "../../components/timeline.css";
import { useTranslation } from "react-i18next";
import type { TimelineRow } from "../../api.ts";
import { ChannelDetails } from "../../components/ChannelDetails.tsx";
import { useFormat } from "../../i18n/format.ts";
import { labelOf, MESSAGE_STATUS_LABELS } from "../../i18n/labels.ts";
import { timelineSentence } from "./sentences.ts";
import { typeLabel, typeTone } from "./timeline.ts";

/**
 * One enrollment's story, oldest first; the newest row is marked so live arrivals stand out.
 * Each row's sentence is made in the console's language from the row's codes (sentences.ts);
 * the engine's own English words stay on hover. `zone` is the contact's.
 */
export function Timeline({
  rows,
  label,
  zone,
}: {
  rows: readonly TimelineRow[];
  label: string;
  zone: string | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  if (rows.length === 0) {
    return <p className="muted timeline-empty">{t("timeline.empty")}</p>;
  }
  return (
    <ol className="timeline" aria-label={label} data-testid="timeline">
      {rows.map((r, i) => {
        const status = labelOf(MESSAGE_STATUS_LABELS, r.messageStatus);
        return (
          <li
            key={r.id ?? `${r.at}:${r.type}:${r.nodeId}:${i}`}
            className={`tl-row tl-${typeTone(r.type)}${i === rows.length - 1 ? " tl-latest" : ""}`}
            data-type={r.type}
          >
            <time className="tl-time mono" dateTime={new Date(r.at).toISOString()}>
              {format.shortTime(r.at)}
            </time>
            <span className={`tl-type tone-${typeTone(r.type)}`}>{typeLabel(r.type)}</span>
            <div className="tl-main">
              <div className="tl-detail" title={r.detail ?? undefined}>
                {timelineSentence(r, t, format.locale, zone)}
                {r.nodeId && <span className="tl-node mono">{r.nodeId}</span>}
              </div>
              {r.body !== undefined && (
                <div className="tl-body">
                  <p>{r.body}</p>
                  <span className="muted small">
                    {t("timeline.parts", { count: r.parts ?? 1 })}
                    {r.messageStatus ? ` · ${status ? t(status) : r.messageStatus}` : ""}
                  </span>
                  <ChannelDetails details={r.message} />
                </div>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
