import "./console.css";
import { useCallback, useEffect, useState } from "react";
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
function lastEvent(m: Message): string {
  const [label, at] = m.convertedAt
    ? [`converted (${m.conversionEvent ?? "goal"})`, m.convertedAt]
    : m.clickedAt
      ? ["clicked", m.clickedAt]
      : m.deliveredAt
        ? ["delivered", m.deliveredAt]
        : m.sentAt
          ? ["sent", m.sentAt]
          : ["queued", m.createdAt];
  return `${label} ${new Date(at).toLocaleString()}`;
}

/** The outbox: every message the journeys queued, newest first, with what the provider said. */
export function MessagesPage() {
  const [filters, setFilters] = useState<Filters>({ status: "", channel: "", journey: "" });
  // Cursors of the pages before this one, so "Newer" goes back without the server's help.
  const [cursors, setCursors] = useState<(number | undefined)[]>([]);
  const [before, setBefore] = useState<number | undefined>(undefined);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [journeys, setJourneys] = useState<JourneySummary[]>([]);

  useEffect(() => {
    document.title = "Messages · Waymark";
    api
      .journeys()
      .then((r) => setJourneys(r.journeys))
      .catch(() => setJourneys([]));
  }, []);

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
        <h2>Messages</h2>
        <button type="button" onClick={fetchPage}>
          Refresh
        </button>
      </div>
      <form
        className="filters card"
        aria-label="Filter messages"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Status
          <select
            value={filters.status}
            onChange={(e) => update({ status: isStatus(e.target.value) ? e.target.value : "" })}
          >
            <option value="">Any status</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select
            value={filters.channel}
            onChange={(e) => update({ channel: isChannel(e.target.value) ? e.target.value : "" })}
          >
            <option value="">Any channel</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          Journey
          <select value={filters.journey} onChange={(e) => update({ journey: e.target.value })}>
            <option value="">Any journey</option>
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
            Clear filters
          </button>
        )}
      </form>
      {load.state === "loading" && <p className="muted">Loading messages…</p>}
      {load.state === "error" && (
        <p className="error" role="alert">
          Could not load messages: {load.message}
        </p>
      )}
      {load.state === "ready" && messages.length === 0 && (
        <div className="empty card">
          <h3>{filtered ? "No message matches these filters" : "No messages yet"}</h3>
          <p className="muted">
            {filtered
              ? "Try another status or journey."
              : "Messages appear here the moment a live journey queues them, with the provider's answers as they come back."}
          </p>
        </div>
      )}
      {messages.length > 0 && (
        <table className="table" data-testid="messages-table">
          <thead>
            <tr>
              <th>Message</th>
              <th>To</th>
              <th>Journey</th>
              <th>Status</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message={m.id}>
                <td>
                  <div className="msg-body">{m.body}</div>
                  <div className="msg-meta muted small">
                    {m.channel.toUpperCase()} · {m.category}
                    {m.encoding && ` · ${m.encoding}`} · {m.parts} part{m.parts === 1 ? "" : "s"} ·{" "}
                    {m.body.length} chars
                  </div>
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
                  <span className={`badge badge-msg-${m.status}`}>{m.status}</span>
                  {m.lastError && (
                    <div className="small danger-text" title={m.lastError}>
                      {m.lastError}
                    </div>
                  )}
                  {m.attempts > 1 && <div className="muted small">{m.attempts} attempts</div>}
                </td>
                <td className="muted small">{lastEvent(m)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(cursors.length > 0 || messages.length === PAGE) && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => {
              setBefore(cursors[cursors.length - 1]);
              setCursors((c) => c.slice(0, -1));
            }}
          >
            ← Newer
          </button>
          <span className="muted small">Page {cursors.length + 1}</span>
          <button
            type="button"
            disabled={messages.length < PAGE || !last}
            onClick={() => {
              if (!last) return;
              setCursors((c) => [...c, before]);
              setBefore(last.id);
            }}
          >
            Older →
          </button>
        </nav>
      )}
    </section>
  );
}
