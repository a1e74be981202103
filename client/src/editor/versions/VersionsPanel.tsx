import "./versions.css";
import type { TFunction } from "i18next";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { AuditEntry } from "../../api.ts";
import { api, type JourneyStatus, type VersionSummary } from "../../api.ts";
import { STATUS_LABELS } from "../../pages/journeys/list-filter.ts";
import { useCan } from "../../permissions.ts";
import { auditWhat, auditWhen, auditWho } from "./audit-text.ts";
import { DiffList } from "./DiffList.tsx";
import { type DraftState, draftLabel } from "./draft-state.ts";
import type { Side, Stage } from "./stage.ts";

type Loaded<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; value: T };

const sideLabel = (t: TFunction, s: Side) =>
  s === "draft" ? t("versions.side.draft") : t("versions.side.version", { version: s });

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
  const { t, i18n } = useTranslation();
  const when = (at: string) => auditWhen(i18n.language, at);
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
    <aside className="versions-panel" aria-label={t("versions.title")}>
      <header className="sim-head">
        <h3>{t("versions.title")}</h3>
        <span className="muted small">{t("versions.publishedCount", { count: list.length })}</span>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={onClose} aria-label={t("versions.close")}>
          ×
        </button>
      </header>

      <section className="versions-draft" aria-label={t("versions.draftSection")}>
        <p className={`draft-line draft-${draft.kind}`}>{draftLabel(t, draft, status)}</p>
        {live !== null && (
          <div className="row-actions">
            <button type="button" onClick={() => onCompare(live, "draft")}>
              {t("versions.compareWith", { version: live })}
            </button>
            {draft.kind === "differs" &&
              can("discardDraft") &&
              (confirm === "discard" ? (
                <fieldset className="confirm" aria-label={t("versions.confirmDiscard")}>
                  <span className="small">{t("versions.discardQuestion", { version: live })}</span>
                  <button
                    type="button"
                    className="danger"
                    disabled={busy}
                    onClick={() => void run(onDiscard)}
                  >
                    {t("versions.discard")}
                  </button>
                  <button type="button" className="ghost" onClick={() => onConfirm(null)}>
                    {t("versions.keep")}
                  </button>
                </fieldset>
              ) : (
                <button type="button" onClick={() => onConfirm("discard")}>
                  {t("versions.discardAsk")}
                </button>
              ))}
          </div>
        )}
      </section>

      {list.length > 0 && (
        <section className="versions-compare" aria-label={t("versions.compare")}>
          <h4 className="panel-title">{t("versions.compareAny")}</h4>
          <div className="compare-picker">
            <SideSelect
              label={t("versions.compareFrom")}
              value={compareFrom}
              versions={list}
              onChange={setFrom}
            />
            <span aria-hidden>→</span>
            <SideSelect
              label={t("versions.compareTo")}
              value={to}
              versions={list}
              onChange={setTo}
            />
            <button
              type="button"
              disabled={compareFrom === to}
              onClick={() => onCompare(compareFrom, to)}
            >
              {t("versions.compare")}
            </button>
          </div>
        </section>
      )}

      {stage.kind === "compare" && (
        <section className="versions-result" data-testid="compare-result">
          <DiffList
            diff={stage.diff}
            title={`${sideLabel(t, stage.from)} → ${sideLabel(t, stage.to)}`}
            onFocusNode={onFocusNode}
            open
          />
        </section>
      )}

      <section aria-label={t("versions.publishedSection")}>
        <h4 className="panel-title versions-title">{t("versions.history")}</h4>
        {versions.state === "loading" && <p className="muted pad">{t("versions.loading")}</p>}
        {versions.state === "error" && <p className="error pad">{versions.message}</p>}
        {versions.state === "ready" && list.length === 0 && (
          <p className="muted pad">{t("versions.none")}</p>
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
                {v.live && (
                  <span className={`badge badge-${status}`}>{t(STATUS_LABELS[status])}</span>
                )}
                {stage.kind === "version" && stage.detail.version === v.version && (
                  <span className="badge">{t("versions.openBadge")}</span>
                )}
                <span className="spacer" />
                <span className="small muted">
                  {t("versions.usersNow", { count: v.activeUsers })}
                </span>
              </div>
              <p className="small muted">
                {t("versions.publishedBy", {
                  when: when(v.publishedAt),
                  who: v.publishedBy.name ?? t("versions.unknownOperator"),
                })}
              </p>
              <p className="small">{inFlightText(t, v)}</p>
              {v.note && <blockquote className="version-note">{v.note}</blockquote>}
              {confirm === v.version ? (
                <fieldset
                  className="confirm"
                  aria-label={t("versions.confirmRestore", { version: v.version })}
                >
                  <span className="small">
                    {t("versions.restoreQuestion", { version: v.version })}
                  </span>
                  <button
                    type="button"
                    className="primary"
                    disabled={busy}
                    onClick={() => void run(() => onRestore(v.version))}
                  >
                    {t("versions.restoreAsDraft", { version: v.version })}
                  </button>
                  <button type="button" className="ghost" onClick={() => onConfirm(null)}>
                    {t("common.cancel")}
                  </button>
                </fieldset>
              ) : (
                <div className="row-actions">
                  <button type="button" onClick={() => onOpen(v.version)}>
                    {t("versions.open")}
                  </button>
                  <button type="button" onClick={() => onCompare(v.version, "draft")}>
                    {t("versions.compareWithDraft")}
                  </button>
                  {can("revertJourney") && (
                    <button type="button" onClick={() => onConfirm(v.version)}>
                      {t("versions.restoreAsk")}
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ol>
      </section>

      <section aria-label={t("versions.activity")}>
        <h4 className="panel-title versions-title">{t("versions.activity")}</h4>
        {activity.length === 0 ? (
          <p className="muted pad small">{t("versions.noActivity")}</p>
        ) : (
          <ul className="activity" data-testid="journey-activity">
            {activity.map((e) => (
              <li key={e.id} data-action={e.action}>
                <span>{auditWhat(t, e)}</span>
                <span className="small muted">
                  {auditWho(t, e)} · {when(e.at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}

function inFlightText(t: TFunction, v: VersionSummary): string {
  if (v.inFlight === null) return t("versions.inFlight.notRecorded");
  if (v.inFlight === "pin") return t("versions.inFlight.pinned");
  const moved = v.migrated ?? 0;
  const exited = v.exited ?? 0;
  return exited > 0
    ? t("versions.inFlight.movedExited", { count: moved, version: v.version, exited })
    : t("versions.inFlight.moved", { count: moved, version: v.version });
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
  const { t } = useTranslation();
  return (
    <label className="side-select">
      <span className="sr-only">{label}</span>
      <select
        aria-label={label}
        value={String(value)}
        onChange={(e) => onChange(e.target.value === "draft" ? "draft" : Number(e.target.value))}
      >
        <option value="draft">{t("versions.draftOption")}</option>
        {versions.map((v) => (
          <option key={v.id} value={v.version}>
            {v.live
              ? t("versions.liveOption", { version: v.version })
              : t("versions.side.version", { version: v.version })}
          </option>
        ))}
      </select>
    </label>
  );
}
