import { DEFAULT_VARIANT } from "../../../engine/nodes/send-variants.ts";
import "./console.css";
import type { TFunction } from "i18next";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  api,
  CHANNELS,
  type Channel,
  type JourneySummary,
  MESSAGE_STATUSES,
  type Message,
  type MessageFilter,
  type MessageStatus,
} from "../api.ts";
import { ChannelDetails } from "../components/ChannelDetails.tsx";
import { formatDateTime } from "../i18n/format.ts";
import { CATEGORY_LABELS, CHANNEL_TAGS, labelOf, MESSAGE_STATUS_LABELS } from "../i18n/labels.ts";
import { Link } from "../router/router.tsx";
import { contactPath, editorPath } from "../router/routes.ts";

const PAGE = 50;

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; messages: Message[] };

type Filters = { status: MessageStatus | ""; channel: Channel | ""; journey: string };

function isStatus(v: string): v is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(v);
}
function isChannel(v: string): v is Channel {
  return (CHANNELS as readonly string[]).includes(v);
}

/** When a message last changed: what support asks first ("when did it go out?"). */
function lastEvent(m: Message, t: TFunction, locale: string): string {
  const when = (at: string) => formatDateTime(locale, at);
  if (m.convertedAt)
    return t("messages.when.converted", {
      event: m.conversionEvent ?? t("messages.when.goal"),
      time: when(m.convertedAt),
    });
  if (m.clickedAt) return t("messages.when.clicked", { time: when(m.clickedAt) });
  if (m.deliveredAt) return t("messages.when.delivered", { time: when(m.deliveredAt) });
  if (m.sentAt) return t("messages.when.sent", { time: when(m.sentAt) });
  return t("messages.when.queued", { time: when(m.createdAt) });
}

/** A code in words from a table of keys; an unknown code as it is. */
function codeText(t: TFunction, table: Readonly<Record<string, string>>, code: string): string {
  const key = labelOf(table, code);
  return key ? t(key) : code;
}

/** The outbox: every message the journeys queued, newest first, with what the provider said. */
export function MessagesPage() {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<Filters>({ status: "", channel: "", journey: "" });
  // Cursors of the pages before this one, so "Newer" goes back without the server's help.
  const [cursors, setCursors] = useState<(number | undefined)[]>([]);
  const [before, setBefore] = useState<number | undefined>(undefined);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [journeys, setJourneys] = useState<JourneySummary[]>([]);

  useEffect(() => {
    api
      .journeys()
      .then((r) => setJourneys(r.journeys))
      .catch(() => setJourneys([]));
  }, []);

  useEffect(() => {
    document.title = `${t("nav.messages")} · Waymark`;
  }, [t]);

  const fetchPage = useCallback(() => {
    const q: MessageFilter = { limit: PAGE, before };
    if (filters.status) q.status = filters.status;
    if (filters.channel) q.channel = filters.channel;
    if (filters.journey) q.journey = filters.journey;
    setLoad((prev) => (prev.state === "ready" ? prev : { state: "loading" }));
    api
      .messages(q)
      .then(({ messages }) => setLoad({ state: "ready", messages }))
      .catch((err: unknown) =>
        setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
  }, [filters, before]);

  useEffect(fetchPage, [fetchPage]);

  function update(next: Partial<Filters>) {
    setFilters((f) => ({ ...f, ...next }));
    setCursors([]);
    setBefore(undefined);
  }

  const messages = load.state === "ready" ? load.messages : [];
  const last = messages[messages.length - 1];
  const filtered = filters.status !== "" || filters.channel !== "" || filters.journey !== "";

  return (
    <section>
      <div className="page-head">
        <h2>{t("nav.messages")}</h2>
        <button type="button" onClick={fetchPage}>
          {t("messages.refresh")}
        </button>
      </div>
      <form
        className="filters card"
        aria-label={t("messages.filterLabel")}
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          {t("messages.status")}
          <select
            value={filters.status}
            onChange={(e) => update({ status: isStatus(e.target.value) ? e.target.value : "" })}
          >
            <option value="">{t("messages.anyStatus")}</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(MESSAGE_STATUS_LABELS[s])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("messages.channel")}
          <select
            value={filters.channel}
            onChange={(e) => update({ channel: isChannel(e.target.value) ? e.target.value : "" })}
          >
            <option value="">{t("messages.anyChannel")}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(CHANNEL_TAGS[c])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("messages.journey")}
          <select value={filters.journey} onChange={(e) => update({ journey: e.target.value })}>
            <option value="">{t("messages.anyJourney")}</option>
            {journeys.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button
            type="button"
            className="ghost"
            onClick={() => update({ status: "", channel: "", journey: "" })}
          >
            {t("messages.clearFilters")}
          </button>
        )}
      </form>
      {load.state === "loading" && <p className="muted">{t("messages.loading")}</p>}
      {load.state === "error" && (
        <p className="error" role="alert">
          {t("messages.loadFailed", { message: load.message })}
        </p>
      )}
      {load.state === "ready" && messages.length === 0 && (
        <div className="empty card">
          <h3>{filtered ? t("messages.noMatch") : t("messages.none")}</h3>
          <p className="muted">{filtered ? t("messages.noMatchHint") : t("messages.noneHint")}</p>
        </div>
      )}
      {messages.length > 0 && (
        <table className="table" data-testid="messages-table">
          <thead>
            <tr>
              <th>{t("messages.col.message")}</th>
              <th>{t("messages.col.to")}</th>
              <th>{t("messages.journey")}</th>
              <th>{t("messages.status")}</th>
              <th>{t("messages.col.when")}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message={m.id}>
                <td>
                  <div className="msg-body">{m.body}</div>
                  <div className="msg-meta muted small">
                    {codeText(t, CHANNEL_TAGS, m.channel)} ·{" "}
                    {codeText(t, CATEGORY_LABELS, m.category)}
                    {m.encoding && ` · ${m.encoding}`} · {t("timeline.parts", { count: m.parts })} ·{" "}
                    {t("messages.chars", { count: m.body.length })}
                    {m.variant !== null &&
                      ` · ${t("variants.outbox", { variant: m.variant === DEFAULT_VARIANT ? t("variants.default") : m.variant })}`}
                  </div>
                  <ChannelDetails details={m.details} opens />
                </td>
                <td>
                  <Link href={contactPath(m.contact)}>{m.contact}</Link>
                </td>
                <td>
                  {m.journeyId ? (
                    <>
                      <Link href={editorPath(m.journeyId)}>{m.journeyId}</Link>
                      {m.nodeId && <div className="muted mono">{m.nodeId}</div>}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <span className={`badge badge-msg-${m.status}`}>
                    {codeText(t, MESSAGE_STATUS_LABELS, m.status)}
                  </span>
                  {m.lastError && (
                    <div className="small danger-text" title={m.lastError}>
                      {m.lastError}
                    </div>
                  )}
                  {m.attempts > 1 && (
                    <div className="muted small">
                      {t("messages.attempts", { count: m.attempts })}
                    </div>
                  )}
                </td>
                <td className="muted small">{lastEvent(m, t, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(cursors.length > 0 || messages.length === PAGE) && (
        <nav className="pager" aria-label={t("messages.pages")}>
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => {
              setBefore(cursors[cursors.length - 1]);
              setCursors((c) => c.slice(0, -1));
            }}
          >
            ← {t("messages.newer")}
          </button>
          <span className="muted small">{t("messages.page", { n: cursors.length + 1 })}</span>
          <button
            type="button"
            disabled={messages.length < PAGE || !last}
            onClick={() => {
              if (!last) return;
              setCursors((c) => [...c, before]);
              setBefore(last.id);
            }}
          >
            {t("messages.older")} →
          </button>
        </nav>
      )}
    </section>
  );
}
