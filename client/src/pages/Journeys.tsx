import "./console.css";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, type JourneySummary } from "../api.ts";
import { copyId } from "../editor/new-journey.ts";
import { useCan } from "../permissions.ts";
import { Link } from "../router/router.tsx";
import { editorPath } from "../router/routes.ts";
import { ArchiveDialog } from "./journeys/ArchiveDialog.tsx";
import { ImportDialog } from "./journeys/ImportDialog.tsx";
import {
  filterFromSearch,
  type ListFilter,
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
    document.title = "Journeys · Waymark";
    window.history.replaceState(null, "", `${window.location.pathname}${searchFromFilter(filter)}`);
    refresh();
  }, [refresh, filter]);

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
      await api.duplicate(j.id, { id, name: `${j.name} (copy)` });
      setNotice(`Duplicated as ${id}.`);
      refresh();
    } catch (err) {
      setNotice(err instanceof ApiError ? err.message : String(err));
    }
  }

  return (
    <section>
      <div className="page-head">
        <h2>Journeys</h2>
        <div className="actions">
          {can("importJourney") && (
            <button type="button" onClick={() => setOpen({ kind: "import" })}>
              Import JSON
            </button>
          )}
          {can("createJourney") && (
            <button type="button" className="primary" onClick={() => setOpen({ kind: "new" })}>
              New journey
            </button>
          )}
        </div>
      </div>
      <search>
        <form className="list-filters card" onSubmit={(e) => e.preventDefault()}>
          <label className="sr-only" htmlFor="journey-search">
            Search journeys by name
          </label>
          <input
            id="journey-search"
            type="search"
            placeholder="Search by name"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
          />
          <label className="sr-only" htmlFor="journey-status">
            Status
          </label>
          <select
            id="journey-status"
            value={filter.status}
            onChange={(e) => {
              const status = filterFromSearch(`?status=${e.target.value}`).status;
              setFilter({ q: typed, status });
            }}
          >
            <option value="">All but archived</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)}
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
      {load.state === "loading" && <p className="muted">Loading…</p>}
      {load.state === "error" && <p className="error">Could not load journeys: {load.message}</p>}
      {load.state === "ready" && load.journeys.length === 0 && filtered && (
        <div className="empty card" data-testid="journeys-none">
          <h3>No journey matches</h3>
          <p className="muted">
            {filter.q.trim() ? `Nothing named like “${filter.q.trim()}”` : "Nothing"}
            {filter.status ? ` with status ${filter.status}` : " (archived journeys are hidden)"}.
          </p>
        </div>
      )}
      {load.state === "ready" && load.journeys.length === 0 && !filtered && (
        <div className="empty card">
          <h3>No journeys yet</h3>
          <p className="muted">
            A journey is a trigger, then waits, branches and sends.
            {can("createJourney") ? " Start a blank one or import a JSON export." : ""}
          </p>
          {can("createJourney") && (
            <button type="button" className="primary" onClick={() => setOpen({ kind: "new" })}>
              New journey
            </button>
          )}
        </div>
      )}
      {load.state === "ready" && load.journeys.length > 0 && (
        <table className="table journeys-table" data-testid="journeys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Version</th>
              <th className="num">In journey now</th>
              <th>Updated</th>
              <th>
                <span className="sr-only">Actions</span>
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
                  <span className={`badge badge-${j.status}`}>{j.status}</span>
                  {j.pauseEntries && (
                    <div className="muted small">
                      {j.pauseEntries === "wait" ? "new entries wait" : "new entries skipped"}
                    </div>
                  )}
                </td>
                <td>{j.version === null ? "—" : `v${j.version}`}</td>
                <td className="num">{j.activeUsers.toLocaleString()}</td>
                <td className="muted">{new Date(j.updatedAt).toLocaleString()}</td>
                <td className="row-actions">
                  {can("duplicateJourney") && (
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => void duplicate(j)}
                      aria-label={`Duplicate ${j.name}`}
                    >
                      Duplicate
                    </button>
                  )}
                  {can("exportJourney") && (
                    <a
                      className="button ghost"
                      href={api.exportUrl(j.id)}
                      download={`${j.id}.json`}
                      aria-label={`Export ${j.name}`}
                    >
                      Export
                    </a>
                  )}
                  {j.status !== "archived" && can("archiveJourney") && (
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => setOpen({ kind: "archive", journey: j })}
                      aria-label={`Archive ${j.name}`}
                    >
                      Archive
                    </button>
                  )}
                  {j.status === "archived" && can("unarchiveJourney") && (
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => setOpen({ kind: "archive", journey: j })}
                      aria-label={`Unarchive ${j.name}`}
                    >
                      Unarchive
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
            setNotice(`Imported ${id}.`);
            refresh();
          }}
        />
      )}
    </section>
  );
}
