import "./console.css";
import type { TFunction } from "i18next";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, type JourneySummary } from "../api.ts";
import { copyId } from "../editor/new-journey.ts";
import { useFormat } from "../i18n/format.ts";
import { useCan } from "../permissions.ts";
import { Link } from "../router/router.tsx";
import { editorPath } from "../router/routes.ts";
import { ArchiveDialog } from "./journeys/ArchiveDialog.tsx";
import { ImportDialog } from "./journeys/ImportDialog.tsx";
import {
  filterFromSearch,
  type ListFilter,
  STATUS_LABELS,
  STATUSES,
  searchFromFilter,
} from "./journeys/list-filter.ts";
import { NewJourneyDialog } from "./journeys/NewJourneyDialog.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; journeys: JourneySummary[] };

type Open =
  | { kind: "none" }
  | { kind: "new" }
  | { kind: "import" }
  | { kind: "archive"; journey: JourneySummary };

/** Typing settles for this long before the list is asked again (one request per pause). */
const SEARCH_DEBOUNCE_MS = 250;

export function JourneysPage() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [open, setOpen] = useState<Open>({ kind: "none" });
  const [notice, setNotice] = useState<string | null>(null);
  // `typed` follows the search box; `filter` is what the list shows (typed, debounced).
  const [typed, setTyped] = useState(() => filterFromSearch(window.location.search).q);
  const [filter, setFilter] = useState<ListFilter>(() => filterFromSearch(window.location.search));
  // Answers can arrive out of order while typing: only the latest request's answer is shown.
  const latest = useRef(0);
  const can = useCan();
  const { t } = useTranslation();
  const format = useFormat();

  const refresh = useCallback(() => {
    const ticket = ++latest.current;
    api
      .journeys({ q: filter.q, status: filter.status || undefined })
      .then(({ journeys }) => {
        if (ticket === latest.current) setLoad({ state: "ready", journeys });
      })
      .catch((err: unknown) => {
        if (ticket === latest.current)
          setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) });
      });
  }, [filter]);

  useEffect(() => {
    document.title = `${t("nav.journeys")} · Waymark`;
    window.history.replaceState(null, "", `${window.location.pathname}${searchFromFilter(filter)}`);
    refresh();
  }, [refresh, filter, t]);

  useEffect(() => {
    if (typed === filter.q) return;
    const timer = window.setTimeout(
      () => setFilter((f) => ({ ...f, q: typed })),
      SEARCH_DEBOUNCE_MS,
    );
    return () => window.clearTimeout(timer);
  }, [typed, filter.q]);

  const filtered = filter.q.trim() !== "" || filter.status !== "";

  async function duplicate(j: JourneySummary) {
    const taken = new Set(load.state === "ready" ? load.journeys.map((x) => x.id) : []);
    const id = copyId(j.id, taken);
    try {
      await api.duplicate(j.id, { id, name: t("journeys.copyName", { name: j.name }) });
      setNotice(t("journeys.duplicated", { id }));
      refresh();
    } catch (err) {
      setNotice(err instanceof ApiError ? err.message : String(err));
    }
  }

  return (
    <section>
      <div className="page-head">
        <h2>{t("nav.journeys")}</h2>
        <div className="actions">
          {can("importJourney") && (
            <button type="button" onClick={() => setOpen({ kind: "import" })}>
              {t("journeys.import")}
            </button>
          )}
          {can("createJourney") && (
            <button type="button" className="primary" onClick={() => setOpen({ kind: "new" })}>
              {t("journeys.new")}
            </button>
          )}
        </div>
      </div>
      <search>
        <form className="list-filters card" onSubmit={(e) => e.preventDefault()}>
          <label className="sr-only" htmlFor="journey-search">
            {t("journeys.searchLabel")}
          </label>
          <input
            id="journey-search"
            type="search"
            placeholder={t("journeys.searchPlaceholder")}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
          />
          <label className="sr-only" htmlFor="journey-status">
            {t("journeys.col.status")}
          </label>
          <select
            id="journey-status"
            value={filter.status}
            onChange={(e) => {
              const status = filterFromSearch(`?status=${e.target.value}`).status;
              setFilter({ q: typed, status });
            }}
          >
            <option value="">{t("journeys.allButArchived")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(STATUS_LABELS[s])}
              </option>
            ))}
          </select>
        </form>
      </search>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {load.state === "loading" && <p className="muted">{t("common.loading")}</p>}
      {load.state === "error" && (
        <p className="error">{t("journeys.loadFailed", { message: load.message })}</p>
      )}
      {load.state === "ready" && load.journeys.length === 0 && filtered && (
        <div className="empty card" data-testid="journeys-none">
          <h3>{t("journeys.noMatch")}</h3>
          <p className="muted">{noMatchText(t, filter)}</p>
        </div>
      )}
      {load.state === "ready" && load.journeys.length === 0 && !filtered && (
        <div className="empty card">
          <h3>{t("journeys.emptyTitle")}</h3>
          <p className="muted">
            {t("journeys.emptyIntro")}
            {can("createJourney") ? ` ${t("journeys.emptyStart")}` : ""}
          </p>
          {can("createJourney") && (
            <button type="button" className="primary" onClick={() => setOpen({ kind: "new" })}>
              {t("journeys.new")}
            </button>
          )}
        </div>
      )}
      {load.state === "ready" && load.journeys.length > 0 && (
        <table className="table journeys-table" data-testid="journeys-table">
          <thead>
            <tr>
              <th>{t("journeys.col.name")}</th>
              <th>{t("journeys.col.status")}</th>
              <th>{t("journeys.col.version")}</th>
              <th className="num">{t("journeys.col.inJourney")}</th>
              <th>{t("journeys.col.updated")}</th>
              <th>
                <span className="sr-only">{t("journeys.col.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {load.journeys.map((j) => (
              <tr key={j.id} data-journey={j.id}>
                <td>
                  <Link className="name" href={editorPath(j.id)}>
                    {j.name}
                  </Link>
                  <div className="muted mono">{j.id}</div>
                </td>
                <td>
                  <span className={`badge badge-${j.status}`}>{t(STATUS_LABELS[j.status])}</span>
                  {j.pauseEntries && (
                    <div className="muted small">
                      {j.pauseEntries === "wait"
                        ? t("journeys.entriesWait")
                        : t("journeys.entriesSkipped")}
                    </div>
                  )}
                </td>
                <td>{j.version === null ? "—" : `v${j.version}`}</td>
                <td className="num" data-suffix={t("journeys.inJourneySuffix")}>
                  {format.number(j.activeUsers)}
                </td>
                <td className="muted" title={format.dateTime(j.updatedAt)}>
                  {format.relative(j.updatedAt)}
                </td>
                <td className="row-actions">
                  {can("duplicateJourney") && (
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => void duplicate(j)}
                      aria-label={t("journeys.duplicateAria", { name: j.name })}
                    >
                      {t("journeys.duplicate")}
                    </button>
                  )}
                  {can("exportJourney") && (
                    <a
                      className="button ghost"
                      href={api.exportUrl(j.id)}
                      download={`${j.id}.json`}
                      aria-label={t("journeys.exportAria", { name: j.name })}
                    >
                      {t("journeys.export")}
                    </a>
                  )}
                  {j.status !== "archived" && can("archiveJourney") && (
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => setOpen({ kind: "archive", journey: j })}
                      aria-label={t("journeys.archiveAria", { name: j.name })}
                    >
                      {t("journeys.archive")}
                    </button>
                  )}
                  {j.status === "archived" && can("unarchiveJourney") && (
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => setOpen({ kind: "archive", journey: j })}
                      aria-label={t("journeys.unarchiveAria", { name: j.name })}
                    >
                      {t("journeys.unarchive")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open.kind === "new" && <NewJourneyDialog onClose={() => setOpen({ kind: "none" })} />}
      {open.kind === "archive" && (
        <ArchiveDialog
          journey={open.journey}
          onClose={() => setOpen({ kind: "none" })}
          onDone={(message) => {
            setOpen({ kind: "none" });
            setNotice(message);
            refresh();
          }}
        />
      )}
      {open.kind === "import" && (
        <ImportDialog
          onClose={() => setOpen({ kind: "none" })}
          onImported={(id) => {
            setNotice(t("journeys.imported", { id }));
            refresh();
          }}
        />
      )}
    </section>
  );
}

/** Why the filtered list is empty, in a sentence: the name searched, the status or the hint. */
function noMatchText(t: TFunction, filter: ListFilter): string {
  const q = filter.q.trim();
  if (filter.status) {
    const status = t(STATUS_LABELS[filter.status]);
    return q
      ? t("journeys.noMatchNamedStatus", { q, status })
      : t("journeys.noMatchStatus", { status });
  }
  return q ? t("journeys.noMatchNamed", { q }) : t("journeys.noMatchAny");
}
