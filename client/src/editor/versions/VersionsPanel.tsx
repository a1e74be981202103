import "./versions.css";
import { useEffect, useState } from "react";
import type { AuditEntry } from "../../api.ts";
import { api, type JourneyStatus, type VersionSummary } from "../../api.ts";
import { useCan } from "../../permissions.ts";
import { auditWhat, auditWhen, auditWho } from "./audit-text.ts";
import { DiffList } from "./DiffList.tsx";
import { type DraftState, draftLabel } from "./draft-state.ts";
import type { Side, Stage } from "./stage.ts";

type Loaded<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; value: T };

const sideLabel = (s: Side) => (s === "draft" ? "draft" : `v${s}`);

/**
 * The journey's history in the inspector's column: the draft against live, every published
 * version (who, when, note, in-flight policy, users moved, users on it now) with Open, Compare
 * and Restore, a compare picker for any two, and the journey's audit trail.
 */
export function VersionsPanel({
  journeyId,
  status,
  draft,
  stage,
  refresh,
  confirm,
  onConfirm,
  onOpen,
  onCompare,
  onRestore,
  onDiscard,
  onFocusNode,
  onClose,
}: {
  journeyId: string;
  status: JourneyStatus;
  draft: DraftState;
  stage: Stage;
  /** Changes whenever the history may have changed (publish, revert…): reload. */
  refresh: number;
  /** The restore or discard awaiting confirmation (lifted: the canvas banner can ask too). */
  confirm: number | "discard" | null;
  onConfirm: (c: number | "discard" | null) => void;
  onOpen: (version: number) => void;
  onCompare: (from: Side, to: Side) => void;
  onRestore: (version: number) => Promise<void>;
  onDiscard: () => Promise<void>;
  onFocusNode: (nodeId: string) => void;
  onClose: () => void;
}) {
  const [versions, setVersions] = useState<Loaded<VersionSummary[]>>({ state: "loading" });
  const [activity, setActivity] = useState<AuditEntry[]>([]);
  const [busy, setBusy] = useState(false);
  const can = useCan();
  const [from, setFrom] = useState<Side | null>(null);
  const [to, setTo] = useState<Side>("draft");

  useEffect(() => {
    let current = true;
    void refresh;
    api
      .versions(journeyId)
      .then((r) => current && setVersions({ state: "ready", value: r.versions }))
      .catch(
        (err: unknown) =>
          current &&
          setVersions({
            state: "error",
            message: err instanceof Error ? err.message : String(err),
          }),
      );
    api
      .journeyAudit(journeyId)
      .then((r) => current && setActivity(r.entries))
      .catch(() => current && setActivity([]));
    return () => {
      current = false;
    };
  }, [journeyId, refresh]);

  const list = versions.state === "ready" ? versions.value : [];
  const live = draft.kind === "unpublished" ? null : draft.version;
  const compareFrom: Side = from ?? list[0]?.version ?? "draft";

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
      onConfirm(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside className="versions-panel" aria-label="Versions">
      <header className="sim-head">
        <h3>Versions</h3>
        <span className="muted small">{list.length} published</span>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={onClose} aria-label="Close versions">
          ×
        </button>
      </header>

      <section className="versions-draft" aria-label="Draft">
        <p className={`draft-line draft-${draft.kind}`}>{draftLabel(draft, status)}</p>
        {live !== null && (
          <div className="row-actions">
            <button type="button" onClick={() => onCompare(live, "draft")}>
              Compare with v{live}
            </button>
            {draft.kind === "differs" &&
              can("discardDraft") &&
              (confirm === "discard" ? (
                <fieldset className="confirm" aria-label="Confirm discard">
                  <span className="small">Back to v{live}? Your draft edits are lost.</span>
                  <button
                    type="button"
                    className="danger"
                    disabled={busy}
                    onClick={() => void run(onDiscard)}
                  >
                    Discard draft
                  </button>
                  <button type="button" className="ghost" onClick={() => onConfirm(null)}>
                    Keep
                  </button>
                </fieldset>
              ) : (
                <button type="button" onClick={() => onConfirm("discard")}>
                  Discard draft…
                </button>
              ))}
          </div>
        )}
      </section>

      {list.length > 0 && (
        <section className="versions-compare" aria-label="Compare">
          <h4 className="panel-title">Compare any two</h4>
          <div className="compare-picker">
            <SideSelect label="From" value={compareFrom} versions={list} onChange={setFrom} />
            <span aria-hidden>→</span>
            <SideSelect label="To" value={to} versions={list} onChange={setTo} />
            <button
              type="button"
              disabled={compareFrom === to}
              onClick={() => onCompare(compareFrom, to)}
            >
              Compare
            </button>
          </div>
        </section>
      )}

      {stage.kind === "compare" && (
        <section className="versions-result" data-testid="compare-result">
          <DiffList
            diff={stage.diff}
            title={`${sideLabel(stage.from)} → ${sideLabel(stage.to)}`}
            onFocusNode={onFocusNode}
            open
          />
        </section>
      )}

      <section aria-label="Published versions">
        <h4 className="panel-title versions-title">History</h4>
        {versions.state === "loading" && <p className="muted pad">Loading versions…</p>}
        {versions.state === "error" && <p className="error pad">{versions.message}</p>}
        {versions.state === "ready" && list.length === 0 && (
          <p className="muted pad">Nothing published yet. Publish to create v1.</p>
        )}
        <ol className="version-list">
          {list.map((v) => (
            <li
              key={v.id}
              data-version={v.version}
              className={
                stage.kind === "version" && stage.detail.version === v.version ? "is-open" : ""
              }
            >
              <div className="version-head">
                <strong>v{v.version}</strong>
                {v.live && <span className={`badge badge-${status}`}>{status}</span>}
                {stage.kind === "version" && stage.detail.version === v.version && (
                  <span className="badge">open</span>
                )}
                <span className="spacer" />
                <span className="small muted">
                  {v.activeUsers.toLocaleString("en-US")} user{v.activeUsers === 1 ? "" : "s"} now
                </span>
              </div>
              <p className="small muted">
                {auditWhen(v.publishedAt)} by {v.publishedBy.name ?? "an unknown operator"}
              </p>
              <p className="small">{inFlightText(v)}</p>
              {v.note && <blockquote className="version-note">{v.note}</blockquote>}
              {confirm === v.version ? (
                <fieldset className="confirm" aria-label={`Confirm restoring v${v.version}`}>
                  <span className="small">
                    Replace the draft with v{v.version}? Users and the live version are not touched;
                    publish it to make it live.
                  </span>
                  <button
                    type="button"
                    className="primary"
                    disabled={busy}
                    onClick={() => void run(() => onRestore(v.version))}
                  >
                    Restore v{v.version} as draft
                  </button>
                  <button type="button" className="ghost" onClick={() => onConfirm(null)}>
                    Cancel
                  </button>
                </fieldset>
              ) : (
                <div className="row-actions">
                  <button type="button" onClick={() => onOpen(v.version)}>
                    Open
                  </button>
                  <button type="button" onClick={() => onCompare(v.version, "draft")}>
                    Compare with draft
                  </button>
                  {can("revertJourney") && (
                    <button type="button" onClick={() => onConfirm(v.version)}>
                      Restore…
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ol>
      </section>

      <section aria-label="Activity">
        <h4 className="panel-title versions-title">Activity</h4>
        {activity.length === 0 ? (
          <p className="muted pad small">No recorded activity yet.</p>
        ) : (
          <ul className="activity" data-testid="journey-activity">
            {activity.map((e) => (
              <li key={e.id} data-action={e.action}>
                <span>{auditWhat(e)}</span>
                <span className="small muted">
                  {auditWho(e)} · {auditWhen(e.at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}

function inFlightText(v: VersionSummary): string {
  if (v.inFlight === null) return "In-flight policy not recorded.";
  if (v.inFlight === "pin") return "Users already in the journey kept their version.";
  const moved = v.migrated ?? 0;
  const exited = v.exited ?? 0;
  return `Moved ${moved.toLocaleString("en-US")} user${moved === 1 ? "" : "s"} onto v${v.version}${exited > 0 ? `; ${exited.toLocaleString("en-US")} at removed steps exited` : ""}.`;
}

function SideSelect({
  label,
  value,
  versions,
  onChange,
}: {
  label: string;
  value: Side;
  versions: VersionSummary[];
  onChange: (s: Side) => void;
}) {
  return (
    <label className="side-select">
      <span className="sr-only">{label}</span>
      <select
        aria-label={`Compare ${label.toLowerCase()}`}
        value={String(value)}
        onChange={(e) => onChange(e.target.value === "draft" ? "draft" : Number(e.target.value))}
      >
        <option value="draft">Draft</option>
        {versions.map((v) => (
          <option key={v.id} value={v.version}>
            v{v.version}
            {v.live ? " (live)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}
