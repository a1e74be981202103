import { useMemo } from "react";
import { ReadOnlyCanvas } from "../../canvas/ReadOnlyCanvas.tsx";
import { useCan } from "../../permissions.ts";
import { changesLabel } from "../diff.ts";
import { compareCanvas } from "./compare.ts";
import type { Side, Stage } from "./stage.ts";
import { useVersionCounts } from "./useVersionCounts.ts";

const sideLabel = (s: Side) => (s === "draft" ? "the draft" : `v${s}`);

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
  const opened = useMemo(
    () => new Map(Object.entries(detail.counts).filter(([, n]) => n > 0)),
    [detail.counts],
  );
  // The counts as opened, then kept current while users move on this version.
  const counts = useVersionCounts(journeyId, detail.version, pulse) ?? opened;
  const users = [...counts.values()].reduce((a, b) => a + b, 0);
  return (
    <div className="version-stage">
      <section className="version-banner" aria-label="Version view">
        <span className="badge badge-readonly">read-only</span>
        <strong>Viewing v{detail.version}</strong>
        <span className="muted small">
          {users === 0
            ? "no users on this version now"
            : `${users.toLocaleString("en-US")} user${users === 1 ? "" : "s"} on this version now`}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => onCompareWithDraft(detail.version)}>
          Compare with draft
        </button>
        {can("revertJourney") && (
          <button type="button" onClick={() => onRestore(detail.version)}>
            Restore as draft…
          </button>
        )}
        <button type="button" className="primary" onClick={onBack}>
          Back to the draft
        </button>
      </section>
      <ReadOnlyCanvas
        key={`v${detail.version}`}
        doc={detail.definition}
        highlight={null}
        counts={counts}
        label={`Version v${detail.version} (read-only)`}
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
  return (
    <div className="version-stage">
      <section className="version-banner" aria-label="Comparison">
        <span className="badge badge-readonly">read-only</span>
        <strong>
          Comparing {sideLabel(stage.from)} → {sideLabel(stage.to)}
        </strong>
        <span className="muted small">{changesLabel(s.changes)}</span>
        <span className="legend">
          <span className="legend-added">{s.added} added</span>
          <span className="legend-changed">{s.changed} changed</span>
          <span className="legend-removed">{s.removed} removed</span>
        </span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={onBack}>
          Back to the draft
        </button>
      </section>
      <ReadOnlyCanvas
        key={`${String(stage.from)}:${String(stage.to)}`}
        doc={doc}
        highlight={null}
        marks={marks}
        label={`Comparison of ${sideLabel(stage.from)} and ${sideLabel(stage.to)}`}
      />
    </div>
  );
}
