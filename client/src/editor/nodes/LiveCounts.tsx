import "./live-counts.css";
import { createContext, useContext, useId } from "react";
import { useTranslation } from "react-i18next";
import type { NodeType } from "../../../../engine/index.ts";
import { definitionOfType } from "../../../../engine/nodes/registry.ts";
import type { JourneyToday, NodeToday } from "../../api.ts";
import { formatNumber } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { labelOf, SEND_REASON_LABELS } from "../../i18n/labels.ts";

/**
 * Today's counts for every node of the journey on the canvas (live/useTodayCounts), or null
 * where none are drawn: a journey never published, a read-only version, no answer yet.
 * A context rather than node data, so a refresh re-renders these rows and not the cards.
 */
export const TodayCountsContext = createContext<JourneyToday | null>(null);

const NONE: NodeToday = {
  entered: 0,
  sent: 0,
  suppressed: 0,
  deferred: 0,
  suppressedBy: {},
  deferredBy: {},
};

type Metric = "entered" | "sent" | "suppressed" | "deferred";

const METRICS: Record<Metric, string> = {
  entered: msgKey("nodes.today.entered"),
  sent: msgKey("nodes.today.sent"),
  suppressed: msgKey("nodes.today.suppressed"),
  deferred: msgKey("nodes.today.deferred"),
};

/** A send decides per contact, so it shows each outcome; other steps show who reached them. */
function metricsFor(type: NodeType): readonly Metric[] {
  return definitionOfType(type)?.sends
    ? ["entered", "sent", "suppressed", "deferred"]
    : ["entered"];
}

/**
 * "quiet_hours 12, no_consent 3": most frequent first, ties by code, as issue #16 asks. English
 * keeps the codes the API and the timeline's hover use; other languages name each reason in
 * words ("免打扰时段 12，未获同意 3") through `name`.
 */
export function reasonsText(
  by: Readonly<Record<string, number>>,
  locale = "en",
  name: (reason: string) => string = (reason) => reason,
): string {
  return Object.entries(by)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([reason, n]) => `${name(reason)} ${formatNumber(locale, n)}`)
    .join(locale === "en" ? ", " : "，");
}

/**
 * The node's activity today under its card: entered, and for sends sent / suppressed /
 * deferred; hovering (or focusing) the row shows the reasons behind suppressed and deferred.
 */
export function LiveCounts({ nodeId, type }: { nodeId: string; type: NodeType }) {
  const { t, i18n } = useTranslation();
  const today = useContext(TodayCountsContext);
  const tipId = useId();
  if (today === null) return null;
  const active = Object.hasOwn(today.nodes, nodeId);
  // A step only the draft has gets no row: nobody can reach it until it is published.
  if (!active && !today.liveNodes?.includes(nodeId)) return null;
  const counts = active ? (today.nodes[nodeId] ?? NONE) : NONE;
  const name =
    i18n.language === "en"
      ? undefined
      : (reason: string) => {
          const key = labelOf(SEND_REASON_LABELS, reason);
          return key ? t(key) : reason;
        };
  const suppressed = reasonsText(counts.suppressedBy, i18n.language, name);
  const deferred = reasonsText(counts.deferredBy, i18n.language, name);
  const hasTip = suppressed !== "" || deferred !== "";
  return (
    <div
      className="wm-today nodrag"
      data-testid={`today-${nodeId}`}
      data-zone={today.zone}
      aria-describedby={hasTip ? tipId : undefined}
      // Focusable when it has reasons, so keyboard users reach the tooltip too.
      tabIndex={hasTip ? 0 : undefined}
    >
      <span className="wm-today-label">{t("nodes.today.label")}</span>
      {metricsFor(type).map((m) => (
        <span key={m} className={`wm-today-cell wm-today-${m}`} data-metric={m}>
          <b>{formatNumber(i18n.language, counts[m])}</b> {t(METRICS[m])}
        </span>
      ))}
      {hasTip && (
        <div className="wm-today-tip" role="tooltip" id={tipId}>
          {suppressed !== "" && (
            <div data-testid="suppressed-reasons">
              <span className="wm-today-tip-head">{t("nodes.today.suppressedToday")}</span>{" "}
              {suppressed}
            </div>
          )}
          {deferred !== "" && (
            <div data-testid="deferred-reasons">
              <span className="wm-today-tip-head">{t("nodes.today.deferredToday")}</span> {deferred}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
