import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { ApiKey, KeyRole } from "../../api.ts";
import { api, type Operator } from "../../api.ts";
import { OneTimeSecret } from "./OneTimeSecret.tsx";

const KEY_ROLES: readonly { role: KeyRole; hint: string }[] = [
  { role: "metrics", hint: "scrapes /metrics, nothing else" },
  { role: "support", hint: "reads contacts, masked" },
  { role: "marketer", hint: "journeys and audiences" },
  { role: "engineer", hint: "keys, exports, metrics" },
  { role: "admin", hint: "everything" },
];

/** The server's rule (server/keys/api-keys.ts mayGrant): admins any role, others theirs or metrics. */
export function grantableRoles(mine: Operator["role"]): KeyRole[] {
  return KEY_ROLES.map((r) => r.role).filter(
    (r) => mine === "admin" || r === mine || r === "metrics",
  );
}

/**
 * API keys: write keys feed /v1 ingest, secret keys drive the REST API with a role no higher than
 * their creator's. Shown once, revocable; they stop when their creator is disabled. Admins see
 * every key, engineers the keys they made.
 */
export function KeysSection({ me }: { me: Operator }) {
  const roles = grantableRoles(me.role);
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<ApiKey["kind"]>("write");
  const [role, setRole] = useState<KeyRole>(me.role);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const refresh = useCallback(() => {
    api
      .keys()
      .then((r) => setKeys(r.keys))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  useEffect(refresh, [refresh]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.createKey(kind, name.trim(), kind === "secret" ? role : undefined);
      setCreated({ name: name.trim(), key: r.key });
      setName("");
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  async function revoke(id: number) {
    setConfirming(null);
    try {
      await api.revokeKey(id);
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const active = keys?.filter((k) => k.revokedAt === null) ?? [];
  return (
    <section className="card settings-card" aria-labelledby="s-keys">
      <h3 id="s-keys">API keys</h3>
      <p className="muted">
        Write keys identify users and track events (<code>/v1</code>, HTTP Basic); secret keys use
        the REST API (<code>Authorization: Bearer</code>) with the role you give them, never more
        than yours. Stored hashed: a key is shown once. A key stops when its creator is disabled.
      </p>
      {created && (
        <OneTimeSecret
          label={`Key “${created.name}”`}
          value={created.key}
          onDone={() => setCreated(null)}
        />
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {keys === null && !error && <p className="muted">Loading keys…</p>}
      {keys !== null && active.length === 0 && (
        <p className="muted small">No active keys. Create one to connect your backend.</p>
      )}
      {active.length > 0 && (
        <table className="table" aria-label="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Role</th>
              <th>Key</th>
              <th>Created by</th>
              <th>Last used</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {active.map((k) => (
              <tr key={k.id}>
                <td className="name">{k.name || <span className="muted">unnamed</span>}</td>
                <td>{k.kind}</td>
                <td data-testid="key-role">{k.role ?? "—"}</td>
                <td className="mono">{k.prefix ? `${k.prefix}…` : "—"}</td>
                <td className="small">
                  {k.createdBy ?? <span className="muted">CLI</span>}
                  {k.creatorDisabledAt && <div className="error small">creator disabled</div>}
                </td>
                <td className="muted small">
                  {k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : "never"}
                </td>
                <td className="row-actions">
                  {confirming === k.id ? (
                    <>
                      <button type="button" className="ghost" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                      <button type="button" className="danger" onClick={() => void revoke(k.id)}>
                        Revoke now
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={`Revoke ${k.name ?? k.prefix ?? k.id}`}
                      onClick={() => setConfirming(k.id)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="create-row" onSubmit={create} aria-label="Create an API key">
        <label>
          Key name
          <input
            value={name}
            required
            maxLength={100}
            placeholder="checkout-service"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="narrow">
          Kind
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value === "secret" ? "secret" : "write")}
          >
            <option value="write">write (ingest)</option>
            <option value="secret">secret (REST API)</option>
          </select>
        </label>
        {kind === "secret" && (
          <label className="narrow">
            Role
            <select
              value={role}
              onChange={(e) => {
                const next = roles.find((r) => r === e.target.value);
                if (next) setRole(next);
              }}
            >
              {KEY_ROLES.filter((r) => roles.includes(r.role)).map((r) => (
                <option key={r.role} value={r.role}>
                  {r.role} — {r.hint}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" className="primary" disabled={!name.trim()}>
          Create key
        </button>
      </form>
    </section>
  );
}
