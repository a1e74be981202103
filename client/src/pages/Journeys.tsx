import { useCallback, useEffect, useState } from "react";
import { ApiError, api, type JourneySummary } from "../api.ts";
import { copyId } from "../editor/new-journey.ts";
import { useCan } from "../permissions.ts";
import { Link } from "../router/router.tsx";
import { editorPath } from "../router/routes.ts";
import { ImportDialog } from "./journeys/ImportDialog.tsx";
import { NewJourneyDialog } from "./journeys/NewJourneyDialog.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; journeys: JourneySummary[] };

type Open = "none" | "new" | "import";

export function JourneysPage() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [open, setOpen] = useState<Open>("none");
  const [notice, setNotice] = useState<string | null>(null);
  const can = useCan();

  const refresh = useCallback(() => {
    api
      .journeys()
      .then(({ journeys }) => setLoad({ state: "ready", journeys }))
      .catch((err: unknown) =>
        setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
  }, []);

  useEffect(() => {
    document.title = "Journeys · Waymark";
    refresh();
  }, [refresh]);

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
            <button type="button" onClick={() => setOpen("import")}>
              Import JSON
            </button>
          )}
          {can("createJourney") && (
            <button type="button" className="primary" onClick={() => setOpen("new")}>
              New journey
            </button>
          )}
        </div>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {load.state === "loading" && <p className="muted">Loading…</p>}
      {load.state === "error" && <p className="error">Could not load journeys: {load.message}</p>}
      {load.state === "ready" && load.journeys.length === 0 && (
        <div className="empty card">
          <h3>No journeys yet</h3>
          <p className="muted">
            A journey is a trigger, then waits, branches and sends.
            {can("createJourney") ? " Start a blank one or import a JSON export." : ""}
          </p>
          {can("createJourney") && (
            <button type="button" className="primary" onClick={() => setOpen("new")}>
              New journey
            </button>
          )}
        </div>
      )}
      {load.state === "ready" && load.journeys.length > 0 && (
        <table className="table" data-testid="journeys-table">
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open === "new" && <NewJourneyDialog onClose={() => setOpen("none")} />}
      {open === "import" && (
        <ImportDialog
          onClose={() => setOpen("none")}
          onImported={(id) => {
            setNotice(`Imported ${id}.`);
            refresh();
          }}
        />
      )}
    </section>
  );
}
