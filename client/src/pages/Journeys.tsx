import { useEffect, useState } from "react";
import { api, type JourneySummary } from "../api.ts";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; journeys: JourneySummary[] };

export function JourneysPage() {
  const [load, setLoad] = useState<Load>({ state: "loading" });

  useEffect(() => {
    api
      .journeys()
      .then(({ journeys }) => setLoad({ state: "ready", journeys }))
      .catch((err: unknown) =>
        setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
  }, []);

  return (
    <section>
      <div className="page-head">
        <h2>Journeys</h2>
      </div>
      {load.state === "loading" && <p className="muted">Loading…</p>}
      {load.state === "error" && <p className="error">Could not load journeys: {load.message}</p>}
      {load.state === "ready" && load.journeys.length === 0 && (
        <div className="empty card">
          <h3>No journeys yet</h3>
          <p className="muted">
            A journey is a trigger, then waits, branches and sends. Import one or start from an
            example.
          </p>
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
            </tr>
          </thead>
          <tbody>
            {load.journeys.map((j) => (
              <tr key={j.id}>
                <td>
                  <div className="name">{j.name}</div>
                  <div className="muted mono">{j.id}</div>
                </td>
                <td>
                  <span className={`badge badge-${j.status}`}>{j.status}</span>
                </td>
                <td>{j.version === null ? "—" : `v${j.version}`}</td>
                <td className="num">{j.activeUsers.toLocaleString()}</td>
                <td className="muted">{new Date(j.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
