import type { TFunction } from "i18next";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { TestMessageStatus } from "../../api.ts";
import { ApiError, api } from "../../api.ts";
import { labelOf, MESSAGE_STATUS_LABELS } from "../../i18n/labels.ts";
import { labelFor } from "./labels.ts";

/** Until delivery has an answer: polled every second, for at most POLL_LIMIT_MS. */
const POLL_MS = 1000;
const POLL_LIMIT_MS = 60_000;
const PENDING = new Set(["queued", "sending"]);

type Outcome =
  | { state: "idle" }
  | { state: "sending" }
  | { state: "queued"; messageId: number; text: string; status: TestMessageStatus | null }
  | { state: "error"; message: string };

type ListLoad =
  | { state: "loading" }
  | { state: "ready"; contacts: { id: number; externalId: string }[]; missing: string[] }
  | { state: "error"; message: string };

function describeStatus(t: TFunction, s: TestMessageStatus | null): string {
  if (!s) return t("panel.test.waiting");
  const by = `${s.provider ? t("panel.test.by", { provider: s.provider }) : ""}${
    s.providerMessageId ? ` (${s.providerMessageId})` : ""
  }`;
  switch (s.status) {
    case "queued":
      return s.attempts > 0 ? t("panel.test.retry", { count: s.attempts }) : t("panel.test.queued");
    case "sending":
      return t("panel.test.sending");
    case "sent":
      return t("panel.test.sent", { by });
    case "delivered":
      return t("panel.test.delivered", { by });
    default: {
      const key = labelOf(MESSAGE_STATUS_LABELS, s.status);
      const status = key ? t(key) : s.status;
      return s.lastError
        ? t("panel.test.otherError", { status, by, error: s.lastError })
        : t("panel.test.other", { status, by });
    }
  }
}

/**
 * "Send test": the node's message, rendered for one contact of the journey's test list as the
 * ticker renders it (real tracked links), queued through the outbox, and followed until the
 * provider answers. Only test-list contacts are offered; the server refuses any other (403).
 */
export function TestSendCard({
  journeyId,
  nodeId,
  testList,
  variant,
}: {
  journeyId: string;
  nodeId: string;
  /** The variant tab shown: the test goes in that variant, whoever the contact is. */
  variant?: string | undefined;
  /** The draft's test list as edited here: the server's is the saved draft's. */
  testList: readonly string[];
}) {
  const { t } = useTranslation();
  const [list, setList] = useState<ListLoad>({ state: "loading" });
  const [chosen, setChosen] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ state: "idle" });
  const listed = testList.join("\n");
  const poll = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    let live = true;
    const ids = listed ? listed.split("\n") : [];
    api
      .testList(journeyId)
      .then((r) => {
        if (!live) return;
        // Offered: contacts on the list both here and in the saved draft.
        const contacts = r.contacts.filter((c) => ids.includes(c.externalId));
        const found = new Set(r.contacts.map((c) => c.externalId));
        setList({ state: "ready", contacts, missing: ids.filter((i) => !found.has(i)) });
        setChosen((prev) =>
          contacts.some((c) => c.externalId === prev) ? prev : (contacts[0]?.externalId ?? ""),
        );
      })
      .catch((err: unknown) => {
        if (live) setList({ state: "error", message: String(err) });
      });
    return () => {
      live = false;
    };
  }, [journeyId, listed]);

  useEffect(
    () => () => {
      if (poll.current !== null) clearTimeout(poll.current);
    },
    [],
  );

  function follow(messageId: number, text: string, started: number) {
    poll.current = setTimeout(() => {
      api
        .testMessage(journeyId, messageId)
        .then((status) => {
          setOutcome({ state: "queued", messageId, text, status });
          if (PENDING.has(status.status) && Date.now() - started < POLL_LIMIT_MS) {
            follow(messageId, text, started);
          }
        })
        .catch(() => follow(messageId, text, started));
    }, POLL_MS);
  }

  async function sendTest() {
    if (!chosen) return;
    if (poll.current !== null) clearTimeout(poll.current);
    setOutcome({ state: "sending" });
    try {
      const r = await api.testSend(journeyId, nodeId, chosen, variant);
      setOutcome({ state: "queued", messageId: r.messageId, text: r.text, status: null });
      follow(r.messageId, r.text, Date.now());
    } catch (err) {
      setOutcome({
        state: "error",
        message: err instanceof ApiError ? err.message : String(err),
      });
    }
  }

  return (
    <section className="test-send" aria-label={t("panel.test.title")}>
      <h4>{t("panel.test.title")}</h4>
      {list.state === "loading" && <p className="muted small">{t("panel.test.loading")}</p>}
      {list.state === "error" && <p className="error small">{list.message}</p>}
      {list.state === "ready" && list.contacts.length === 0 && (
        <p className="muted small" data-testid="test-list-empty">
          {t("panel.test.empty", { list: labelFor("testList") })}
          {list.missing.length > 0 && t("panel.test.missing", { ids: list.missing.join(", ") })}
        </p>
      )}
      {list.state === "ready" && list.contacts.length > 0 && (
        <div className="test-send-row">
          <label className="field">
            <span className="field-label">{t("panel.test.contact")}</span>
            <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
              {list.contacts.map((c) => (
                <option key={c.id} value={c.externalId}>
                  {c.externalId}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="primary"
            disabled={!chosen || outcome.state === "sending"}
            onClick={() => void sendTest()}
          >
            {t("panel.test.title")}
          </button>
        </div>
      )}
      {outcome.state === "sending" && <p className="muted small">{t("panel.test.queuing")}</p>}
      {outcome.state === "error" && (
        <p className="error small" role="alert">
          {t("panel.test.notSent", { message: outcome.message })}
        </p>
      )}
      {outcome.state === "queued" && (
        <div className="test-send-outcome" data-testid="test-send-outcome">
          <output
            className={`test-send-status status-${outcome.status?.status ?? "queued"}`}
            data-status={outcome.status?.status ?? "queued"}
            aria-live="polite"
          >
            {describeStatus(t, outcome.status)}
          </output>
          <p className="test-send-text mono small">{outcome.text}</p>
        </div>
      )}
    </section>
  );
}
