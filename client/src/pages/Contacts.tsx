import "./console.css";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Contact } from "../api.ts";
import { api } from "../api.ts";
import { useFormat } from "../i18n/format.ts";
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
  const { t } = useTranslation();
  const format = useFormat();
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
    search(initialQuery());
  }, [search]);
  useEffect(() => {
    document.title = `${t("nav.contacts")} · Waymark`;
  }, [t]);

  function submit(e: FormEvent) {
    e.preventDefault();
    search(q);
  }

  return (
    <section>
      <div className="page-head">
        <h2>{t("nav.contacts")}</h2>
      </div>
      <search>
        <form className="search-bar card" onSubmit={submit}>
          <label className="sr-only" htmlFor="contact-search">
            {t("contacts.searchLabel")}
          </label>
          <input
            id="contact-search"
            type="search"
            placeholder={t("contacts.searchPlaceholder")}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            autoComplete="off"
          />
          <button type="submit" className="primary">
            {t("contacts.search")}
          </button>
        </form>
      </search>
      {load.state === "loading" && <p className="muted">{t("contacts.searching")}</p>}
      {load.state === "error" && (
        <p className="error" role="alert">
          {t("contacts.searchFailed", { message: load.message })}
        </p>
      )}
      {load.state === "ready" && load.contacts.length === 0 && (
        <div className="empty card">
          <h3>{load.q ? t("contacts.noMatch", { q: load.q }) : t("contacts.none")}</h3>
          <p className="muted">{load.q ? t("contacts.searchHint") : t("contacts.noneHint")}</p>
        </div>
      )}
      {load.state === "ready" && load.contacts.length > 0 && (
        <table className="table" data-testid="contacts-table">
          <thead>
            <tr>
              <th>{t("contacts.col.contact")}</th>
              <th>{t("profile.phone")}</th>
              <th>{t("profile.email")}</th>
              <th>{t("contacts.col.zone")}</th>
              <th>{t("profile.locale")}</th>
              <th>{t("journeys.col.updated")}</th>
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
                    <span className="muted">
                      {c.phone ? t("contacts.zoneFromPhone") : t("contacts.zoneWorkspace")}
                    </span>
                  )}
                </td>
                <td>{c.locale ?? <span className="muted">—</span>}</td>
                <td className="muted" title={format.dateTime(c.updatedAt)}>
                  {format.relative(c.updatedAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {load.state === "ready" && load.contacts.length > 0 && (
        <div className="pager">
          <span className="muted small" data-testid="contacts-count">
            {load.next === null
              ? t("contacts.shown", { count: load.contacts.length })
              : t("contacts.shownNewestFirst", { count: load.contacts.length })}
          </span>
          {load.next !== null && (
            <button
              type="button"
              onClick={loadMore}
              disabled={load.more.state === "loading"}
              data-testid="contacts-more"
            >
              {load.more.state === "loading" ? t("common.loading") : t("contacts.older")}
            </button>
          )}
          {load.more.state === "error" && (
            <span className="error" role="alert">
              {t("contacts.moreFailed", { message: load.more.message })}
            </span>
          )}
        </div>
      )}
    </section>
  );
}
