import { useCallback, useEffect, useState } from "react";
import type { AuditEntry } from "../../api.ts";
import { api } from "../../api.ts";
import { auditWhat, auditWhen, auditWho } from "../../editor/versions/audit-text.ts";

const FILTERS: { value: string; label: string }[] = [
  { value: "", label: "Everything" },
  { value: "journey.publish", label: "Publishes" },
  { value: "journey.import", label: "Imports" },
  { value: "journey.revert", label: "Reverts" },
  { value: "settings.update", label: "Settings changes" },
  { value: "operator.role", label: "Role changes" },
  { value: "operator.create", label: "Operators added" },
  { value: "operator.disable", label: "Operators disabled" },
];

/**
 * The audit log (admins): who published, paused, resumed, archived, reverted or imported a
 * journey, and who changed the sending policy, newest first, a page at a time.
 */
export function AuditSection() {
  const [action, setAction] = useState("");
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (before?: number) => {
      api
        .audit({ ...(action ? { action } : {}), ...(before ? { before } : {}) })
        .then((page) => {
          setEntries((prev) => (before && prev ? [...prev, ...page.entries] : page.entries));
          setNext(page.next);
        })
        .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    },
    [action],
  );
  useEffect(() => load(), [load]);

  return (
    <section className="card settings-card" aria-labelledby="s-audit">
      <h3 id="s-audit">Audit log</h3>
      <p className="muted">
        Who changed what, and when. Also at <code>GET /api/audit</code> with a secret key.
      </p>
      <label className="inline-label">
        Show{" "}
        <select
          value={action}
          onChange={(e) => setAction(e.target.value)}
          aria-label="Audit filter"
        >
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      {error && <p className="error">{error}</p>}
      {entries && entries.length === 0 && <p className="muted">Nothing recorded yet.</p>}
      {entries && entries.length > 0 && (
        <table className="table small" data-testid="audit-log">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>On</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{auditWhen(e.at)}</td>
                <td>{auditWho(e)}</td>
                <td>{auditWhat(e)}</td>
                <td className="mono">
                  {e.subject.type}
                  {e.subject.id ? ` ${e.subject.id}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" onClick={() => load(next)}>
          Older entries
        </button>
      )}
    </section>
  );
}
