import "./console.css";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { Contact } from "../api.ts";
import { api } from "../api.ts";
import { Link } from "../router/router.tsx";
import { contactPath } from "../router/routes.ts";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; q: string; contacts: Contact[]; next: number | null; more: MoreState };

/** Loading the next page keeps the rows already shown. */
type MoreState = { state: "idle" } | { state: "loading" } | { state: "error"; message: string };

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The query lives in the URL (?q=) so Back from a contact returns to the same results. */
function initialQuery(): string {
  return new URLSearchParams(window.location.search).get("q") ?? "";
}

/** The name the search matches (server/contacts/sql/search.ts), as the contact's profile has it. */
function displayName(attributes: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  const full = [text(attributes.firstName), text(attributes.lastName)].filter(Boolean).join(" ");
  return full || text(attributes.name);
}

export function ContactsPage() {
  const [q, setQ] = useState(initialQuery);
  const [load, setLoad] = useState<Load>({ state: "loading" });

  const search = useCallback((query: string) => {
    setLoad({ state: "loading" });
    const url = query.trim() ? `/contacts?q=${encodeURIComponent(query.trim())}` : "/contacts";
    window.history.replaceState(null, "", url);
    api
      .contacts(query)
      .then(({ contacts, next }) =>
        setLoad({ state: "ready", q: query.trim(), contacts, next, more: { state: "idle" } }),
      )
      .catch((err: unknown) => setLoad({ state: "error", message: errorText(err) }));
  }, []);

  function loadMore() {
    if (load.state !== "ready" || load.next === null) return;
    const shown = load;
    setLoad({ ...shown, more: { state: "loading" } });
    api
      .contacts(shown.q, shown.next ?? undefined)
      .then(({ contacts, next }) =>
        setLoad({
          ...shown,
          contacts: [...shown.contacts, ...contacts],
          next,
          more: { state: "idle" },
        }),
      )
      .catch((err: unknown) =>
        setLoad({ ...shown, more: { state: "error", message: errorText(err) } }),
      );
  }

  useEffect(() => {
    document.title = "Contacts · Waymark";
    search(initialQuery());
  }, [search]);

  function submit(e: FormEvent) {
    e.preventDefault();
    search(q);
  }

  return (
    <section>
      <div className="page-head">
        <h2>Contacts</h2>
      </div>
      <search>
        <form className="search-bar card" onSubmit={submit}>
          <label className="sr-only" htmlFor="contact-search">
            Search contacts
          </label>
          <input
            id="contact-search"
            type="search"
            placeholder="Name, email, contact id or phone — (310) 555-0101, 138 0013 8000"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            autoComplete="off"
          />
          <button type="submit" className="primary">
            Search
          </button>
        </form>
      </search>
      {load.state === "loading" && <p className="muted">Searching…</p>}
      {load.state === "error" && (
        <p className="error" role="alert">
          Could not search contacts: {load.message}
        </p>
      )}
      {load.state === "ready" && load.contacts.length === 0 && (
        <div className="empty card">
          <h3>{load.q ? `No contact matches “${load.q}”` : "No contacts yet"}</h3>
          <p className="muted">
            {load.q
              ? "Search by the id your systems send (or its beginning), the contact number, the email, the first or last name, or the full phone number in any format."
              : "Contacts arrive through the API: POST /v1/identify with a write key."}
          </p>
        </div>
      )}
      {load.state === "ready" && load.contacts.length > 0 && (
        <table className="table" data-testid="contacts-table">
          <thead>
            <tr>
              <th>Contact</th>
              <th>Phone</th>
              <th>Email</th>
              <th>Zone</th>
              <th>Locale</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {load.contacts.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link className="name" href={contactPath(c.externalId)}>
                    {c.externalId}
                  </Link>
                  <div className="muted">
                    {displayName(c.attributes) ?? ""} <span className="mono">#{c.id}</span>
                  </div>
                </td>
                <td className="mono">{c.phone ?? "—"}</td>
                <td>{c.email ?? <span className="muted">—</span>}</td>
                <td>
                  {c.timezone ?? (
                    // No zone on the profile: the phone's country, else the workspace's (resolveZone).
                    <span className="muted">{c.phone ? "from phone" : "workspace"}</span>
                  )}
                </td>
                <td>{c.locale ?? <span className="muted">—</span>}</td>
                <td className="muted">{new Date(c.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {load.state === "ready" && load.contacts.length > 0 && (
        <div className="pager">
          <span className="muted small" data-testid="contacts-count">
            {load.contacts.length === 1 ? "1 contact" : `${load.contacts.length} contacts`} shown
            {load.next === null ? "" : ", newest first"}
          </span>
          {load.next !== null && (
            <button
              type="button"
              onClick={loadMore}
              disabled={load.more.state === "loading"}
              data-testid="contacts-more"
            >
              {load.more.state === "loading" ? "Loading…" : "Show older contacts"}
            </button>
          )}
          {load.more.state === "error" && (
            <span className="error" role="alert">
              Could not load more: {load.more.message}
            </span>
          )}
        </div>
      )}
    </section>
  );
}
