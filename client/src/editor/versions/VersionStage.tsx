import type { TFunction } from "i18next";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { ReadOnlyCanvas } from "../../canvas/ReadOnlyCanvas.tsx";
import { useCan } from "../../permissions.ts";
import { changesText } from "./audit-text.ts";
import { compareCanvas } from "./compare.ts";
import type { Side, Stage } from "./stage.ts";
import { useVersionCounts } from "./useVersionCounts.ts";

const sideLabel = (t: TFunction, s: Side) =>
  s === "draft" ? t("versions.side.theDraft") : t("versions.side.version", { version: s });

/**
 * The canvas column while looking at history: a published version read-only with the users on
 * each of its nodes now, or a comparison with added, changed and removed steps painted.
 * Nothing here edits; "Back to the draft" returns to the editable canvas.
 */
export function VersionStage({
  journeyId,
  pulse,
  stage,
  onBack,
  onRestore,
  onCompareWithDraft,
}: {
  journeyId: string;
  /** The journey's live counts: when they change, the open version's counts are re-read. */
  pulse: unknown;
  stage: Exclude<Stage, { kind: "draft" }>;
  onBack: () => void;
  onRestore: (version: number) => void;
  onCompareWithDraft: (version: number) => void;
}) {
  if (stage.kind === "version")
    return (
      <VersionView
        key={stage.detail.version}
        {...{ journeyId, pulse, stage, onBack, onRestore, onCompareWithDraft }}
      />
    );
  return <CompareView stage={stage} onBack={onBack} />;
}

function VersionView({
  journeyId,
  pulse,
  stage,
  onBack,
  onRestore,
  onCompareWithDraft,
}: {
  journeyId: string;
  pulse: unknown;
  stage: Extract<Stage, { kind: "version" }>;
  onBack: () => void;
  onRestore: (version: number) => void;
  onCompareWithDraft: (version: number) => void;
}) {
  const { detail } = stage;
  const can = useCan();
  const { t } = useTranslation();
  const opened = useMemo(
    () => new Map(Object.entries(detail.counts).filter(([, n]) => n > 0)),
    [detail.counts],
  );
  // The counts as opened, then kept current while users move on this version.
  const counts = useVersionCounts(journeyId, detail.version, pulse) ?? opened;
  const users = [...counts.values()].reduce((a, b) => a + b, 0);
  return (
    <div className="version-stage">
      <section className="version-banner" aria-label={t("versions.stage.versionView")}>
        <span className="badge badge-readonly">{t("versions.stage.readOnly")}</span>
        <strong>{t("versions.stage.viewing", { version: detail.version })}</strong>
        <span className="muted small">
          {users === 0
            ? t("versions.stage.noUsers")
            : t("versions.stage.usersOn", { count: users })}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => onCompareWithDraft(detail.version)}>
          {t("versions.compareWithDraft")}
        </button>
        {can("revertJourney") && (
          <button type="button" onClick={() => onRestore(detail.version)}>
            {t("versions.stage.restoreAsk")}
          </button>
        )}
        <button type="button" className="primary" onClick={onBack}>
          {t("versions.stage.back")}
        </button>
      </section>
      <ReadOnlyCanvas
        key={`v${detail.version}`}
        doc={detail.definition}
        highlight={null}
        counts={counts}
        label={t("versions.stage.versionCanvas", { version: detail.version })}
      />
    </div>
  );
}

function CompareView({
  stage,
  onBack,
}: {
  stage: Extract<Stage, { kind: "compare" }>;
  onBack: () => void;
}) {
  const { doc, marks } = useMemo(
    () => compareCanvas(stage.fromDoc, stage.toDoc, stage.diff),
    [stage],
  );
  const s = stage.diff.summary;
  const { t } = useTranslation();
  const from = sideLabel(t, stage.from);
  const to = sideLabel(t, stage.to);
  return (
    <div className="version-stage">
      <section className="version-banner" aria-label={t("versions.stage.comparison")}>
        <span className="badge badge-readonly">{t("versions.stage.readOnly")}</span>
        <strong>{t("versions.stage.comparing", { from, to })}</strong>
        <span className="muted small">{changesText(t, s.changes)}</span>
        <span className="legend">
          <span className="legend-added">{t("versions.stage.added", { count: s.added })}</span>
          <span className="legend-changed">
            {t("versions.stage.changed", { count: s.changed })}
          </span>
          <span className="legend-removed">
            {t("versions.stage.removed", { count: s.removed })}
          </span>
        </span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={onBack}>
          {t("versions.stage.back")}
        </button>
      </section>
      <ReadOnlyCanvas
        key={`${String(stage.from)}:${String(stage.to)}`}
        doc={doc}
        highlight={null}
        marks={marks}
        label={t("versions.stage.comparisonCanvas", { from, to })}
      />
    </div>
  );
}
