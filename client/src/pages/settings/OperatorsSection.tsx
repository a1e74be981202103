import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { OperatorRow, Role } from "../../api.ts";
import { api, type Operator } from "../../api.ts";
import { OneTimeSecret } from "./OneTimeSecret.tsx";

const ROLES: readonly { role: Role; hint: string }[] = [
  { role: "marketer", hint: "builds and publishes journeys" },
  { role: "support", hint: "inspects contacts; sees phones masked" },
  { role: "engineer", hint: "keys, exports, metrics" },
  { role: "admin", hint: "everything, including settings and people" },
];

function isRole(v: string): v is Role {
  return ROLES.some((r) => r.role === v);
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** Console accounts (admin): create with a one-time password, change a role, disable at once. */
export function OperatorsSection({ me }: { me: Operator }) {
  const [rows, setRows] = useState<OperatorRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("marketer");
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** A role picked in a row and not yet applied: a role change is one deliberate click. */
  const [picked, setPicked] = useState<{ id: number; role: Role } | null>(null);

  const refresh = useCallback(() => {
    api
      .operators()
      .then((r) => setRows(r.operators))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  useEffect(refresh, [refresh]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const body: { email: string; role: Role; name?: string } = { email: email.trim(), role };
      if (name.trim()) body.name = name.trim();
      const r = await api.createOperator(body);
      setCreated({ email: email.trim(), password: r.password });
      setEmail("");
      setName("");
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function changeRole(row: OperatorRow, role: Role) {
    setPicked(null);
    setError(null);
    try {
      const r = await api.setOperatorRole(row.id, role);
      // The row shows the new role at once; the refresh below confirms it (without this, the
      // picker fell back to the old role until the list came back).
      setRows((rs) => rs?.map((x) => (x.id === row.id ? { ...x, role: r.role } : x)) ?? rs);
      setNotice(
        [
          `${row.email} is now ${r.role}; it applies to their next click.`,
          r.keysStopped > 0
            ? `${plural(r.keysStopped, "secret key")} they made above that role stopped working.`
            : "",
        ]
          .filter(Boolean)
          .join(" "),
      );
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function disable(id: number) {
    setConfirming(null);
    try {
      const r = await api.disableOperator(id);
      setNotice(
        [
          "Disabled.",
          r.keysStopped > 0
            ? `${plural(r.keysStopped, "secret key")} they made stopped working.`
            : "",
          r.writeKeysActive > 0
            ? `${plural(r.writeKeysActive, "write key")} they made still ingest events; revoke ${r.writeKeysActive === 1 ? "it" : "them"} under API keys if that should stop.`
            : "",
        ]
          .filter(Boolean)
          .join(" "),
      );
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="s-ops">
      <h3 id="s-ops">Operators</h3>
      <p className="muted">
        People who sign in to this console. New accounts get a one-time password and must change it
        at first sign-in.
      </p>
      {created && (
        <OneTimeSecret
          label={`Password for ${created.email}`}
          value={created.password}
          onDone={() => setCreated(null)}
        />
      )}
      {notice && (
        <p className="muted" role="status" data-testid="operators-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows === null && !error && <p className="muted">Loading operators…</p>}
      {rows !== null && (
        <table className="table" aria-label="Operators">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Last sign-in</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id} className={o.disabledAt ? "muted" : ""}>
                <td>
                  <span className="name">{o.email}</span>
                  {o.name && <div className="muted small">{o.name}</div>}
                </td>
                <td>
                  {o.disabledAt || o.id === me.id ? (
                    o.role
                  ) : (
                    <span className="role-change">
                      <select
                        aria-label={`Role of ${o.email}`}
                        value={picked?.id === o.id ? picked.role : o.role}
                        onChange={(e) => {
                          const next = e.target.value;
                          if (!isRole(next)) return;
                          setPicked(next === o.role ? null : { id: o.id, role: next });
                        }}
                      >
                        {ROLES.map((r) => (
                          <option key={r.role} value={r.role}>
                            {r.role}
                          </option>
                        ))}
                      </select>
                      {picked?.id === o.id && (
                        <>
                          <button
                            type="button"
                            className="primary"
                            onClick={() => void changeRole(o, picked.role)}
                          >
                            Make {picked.role}
                          </button>
                          <button type="button" className="ghost" onClick={() => setPicked(null)}>
                            Cancel
                          </button>
                        </>
                      )}
                    </span>
                  )}
                </td>
                <td className="muted small">
                  {o.lastLoginAt ? new Date(o.lastLoginAt).toLocaleString() : "never"}
                </td>
                <td className="row-actions">
                  {o.disabledAt ? (
                    <span className="muted small">disabled</span>
                  ) : o.id === me.id ? (
                    <span className="muted small">you</span>
                  ) : confirming === o.id ? (
                    <>
                      <button type="button" className="ghost" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                      <button type="button" className="danger" onClick={() => void disable(o.id)}>
                        Disable now
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={`Disable ${o.email}`}
                      onClick={() => setConfirming(o.id)}
                    >
                      Disable
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="create-row" onSubmit={create} aria-label="Add an operator">
        <label>
          Email
          <input
            type="email"
            required
            value={email}
            placeholder="li.wei@example.com"
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Name
          <input value={name} placeholder="optional" onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => isRole(e.target.value) && setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role} — {r.hint}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!email.trim()}>
          Add operator
        </button>
      </form>
    </section>
  );
}
