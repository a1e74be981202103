import "../console.css";
import "./audiences.css";
import { useEffect, useState } from "react";
import { type Audience, api, type RfmGrid as Grid, type RfmCell } from "../../api.ts";
import { useCan } from "../../permissions.ts";
import { Link, navigate } from "../../router/router.tsx";
import { audiencePath } from "../../router/routes.ts";
import { DeleteAudienceDialog } from "./DeleteAudienceDialog.tsx";
import { cellName, RfmGrid } from "./RfmGrid.tsx";

type Load<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; data: T };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A new audience's URL carrying its starting definition and name (e.g. from an RFM cell). */
export function newAudienceHref(definition: unknown, name?: string): string {
  const q = new URLSearchParams({ definition: JSON.stringify(definition) });
  if (name) q.set("name", name);
  return `${audiencePath("new")}?${q.toString()}`;
}

export default function AudiencesPage() {
  const [list, setList] = useState<Load<Audience[]>>({ state: "loading" });
  const [grid, setGrid] = useState<Load<Grid>>({ state: "loading" });
  const [deleting, setDeleting] = useState<Audience | null>(null);
  const can = useCan();

  useEffect(() => {
    document.title = "Audiences · Waymark";
    api
      .audiences()
      .then(({ audiences }) => setList({ state: "ready", data: audiences }))
      .catch((err: unknown) => setList({ state: "error", message: message(err) }));
    api
      .rfm()
      .then((data) => setGrid({ state: "ready", data }))
      .catch((err: unknown) => setGrid({ state: "error", message: message(err) }));
  }, []);

  function pick(cell: RfmCell) {
    const name = cellName(cell.r, cell.f);
    const label = name ? name.charAt(0).toUpperCase() + name.slice(1) : `RFM R${cell.r} F${cell.f}`;
    navigate(newAudienceHref(cell.definition, label));
  }

  return (
    <section>
      <div className="page-head">
        <h2>Audiences</h2>
        {can("editAudience") && (
          <Link className="button primary" href={audiencePath("new")}>
            New audience
          </Link>
        )}
      </div>

      <h3 className="section-title">RFM grid</h3>
      <div className="card rfm-card">
        {grid.state === "loading" && <p className="muted">Scoring contacts…</p>}
        {grid.state === "error" && (
          <p className="error" role="alert">
            Could not compute the RFM grid: {grid.message}
          </p>
        )}
        {grid.state === "ready" && grid.data.buyers === 0 && (
          <div className="empty">
            <h3>No purchases yet</h3>
            <p className="muted">
              The grid scores contacts by their <code>purchased</code> events (with an{" "}
              <code>amount</code>). Send some through POST /v1/track and they appear here.
            </p>
          </div>
        )}
        {grid.state === "ready" && grid.data.buyers > 0 && (
          <RfmGrid grid={grid.data} onPick={pick} />
        )}
      </div>

      <h3 className="section-title">Saved audiences</h3>
      {list.state === "loading" && <p className="muted">Loading audiences…</p>}
      {list.state === "error" && (
        <p className="error" role="alert">
          Could not load audiences: {list.message}
        </p>
      )}
      {list.state === "ready" && list.data.length === 0 && (
        <div className="empty card">
          <h3>No audiences yet</h3>
          <p className="muted">
            Start from a cell of the RFM grid above, or build one from conditions with “New
            audience”.
          </p>
        </div>
      )}
      {list.state === "ready" && list.data.length > 0 && (
        <table className="table" data-testid="audiences-table">
          <thead>
            <tr>
              <th>Audience</th>
              <th>Description</th>
              <th>Updated</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link className="name" href={audiencePath(a.id)}>
                    {a.name}
                  </Link>
                  <div className="muted mono">{a.id}</div>
                </td>
                <td>{a.description ?? <span className="muted">—</span>}</td>
                <td className="muted">{new Date(a.updatedAt).toLocaleString()}</td>
                <td className="row-actions">
                  {can("editAudience") && (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={`Delete ${a.name}`}
                      onClick={() => setDeleting(a)}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <DeleteAudienceDialog
          audience={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(id) => {
            setDeleting(null);
            setList((l) =>
              l.state === "ready" ? { ...l, data: l.data.filter((a) => a.id !== id) } : l,
            );
          }}
        />
      )}
    </section>
  );
}
