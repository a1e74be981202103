import "../console.css";
import "../../components/timeline.css";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Contact, Enrollment, SkippedEntry, SupportAct, Suppression } from "../../api.ts";
import { ApiError, api } from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import type { LiveMode } from "../../live/protocol.ts";
import { useLive } from "../../live/useLive.ts";
import { Link } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";
import { EnrollmentCard } from "./EnrollmentCard.tsx";
import { Profile } from "./Profile.tsx";
import { SupportActions, SupportTimeline } from "./SupportActions.tsx";
import { timelineSentence } from "./sentences.ts";
import { typeLabel, typeTone } from "./timeline.ts";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string; missing: boolean }
  | {
      state: "ready";
      contact: Contact;
      suppressions: Suppression[];
      enrollments: Enrollment[];
      skipped: SkippedEntry[];
      support: SupportAct[];
    };

/** Pushes arrive per log row; one refetch covers a burst of them (a step logs several rows). */
const REFETCH_DEBOUNCE_MS = 200;

export function LiveBadge({ mode }: { mode: LiveMode }) {
  const { t } = useTranslation();
  const text =
    mode === "live"
      ? t("live.live")
      : mode === "polling"
        ? t("live.polling")
        : t("live.connecting");
  return (
    <output className={`live-badge live-${mode}`} aria-live="polite" data-testid="live-mode">
      <span className="live-dot" aria-hidden /> {text}
    </output>
  );
}

/** Triggers that did not enter: a paused journey skipping new entries. No enrollment to show. */
function SkippedEntries({ skipped, zone }: { skipped: SkippedEntry[]; zone: string | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <>
      <h3 className="section-title">{t("contact.didNotEnter")}</h3>
      <div className="card skipped-card">
        <ol
          className="timeline"
          aria-label={t("contact.didNotEnter")}
          data-testid="skipped-entries"
        >
          {skipped.map((s) => (
            <li key={s.id} className={`tl-row tl-${typeTone(s.type)}`} data-type={s.type}>
              <time className="tl-time mono" dateTime={new Date(s.at).toISOString()}>
                {format.shortTime(s.at)}
              </time>
              <span className={`tl-type tone-${typeTone(s.type)}`}>{typeLabel(s.type)}</span>
              <div className="tl-main">
                <div className="tl-detail" title={s.detail ?? undefined}>
                  {s.journeyId === null ? (
                    s.journeyName
                  ) : (
                    <Link href={editorPath(s.journeyId)}>{s.journeyName ?? s.journeyId}</Link>
                  )}
                  {t("contact.skippedSeparator")}
                  {timelineSentence(s, t, format.locale, zone)}
                  {s.reason && <span className="tl-node mono">{s.reason}</span>}
                </div>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </>
  );
}

/** The inspector: one contact's profile, then each journey they are or were in, live. */
export default function ContactPage({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const fetchAll = useCallback(async () => {
    try {
      const [{ contact, suppressions }, { enrollments, skipped, support }] = await Promise.all([
        api.contact(contactId),
        api.contactJourneys(contactId),
      ]);
      setLoad({ state: "ready", contact, suppressions, enrollments, skipped, support });
    } catch (err) {
      setLoad((prev) =>
        // A failed background refresh keeps what is on screen.
        prev.state === "ready"
          ? prev
          : {
              state: "error",
              message: err instanceof Error ? err.message : String(err),
              missing: err instanceof ApiError && err.status === 404,
            },
      );
    }
  }, [contactId]);

  const refetchSoon = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void fetchAll();
    }, REFETCH_DEBOUNCE_MS);
  }, [fetchAll]);

  useEffect(() => {
    void fetchAll();
    return () => {
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [fetchAll]);

  const numericId = load.state === "ready" ? load.contact.id : null;
  const mode = useLive(
    numericId === null ? null : { contact: numericId },
    "timeline",
    (p) => {
      if (p.contactId === numericId) refetchSoon();
    },
    () => void fetchAll(),
  );

  useEffect(() => {
    document.title = `${load.state === "ready" ? load.contact.externalId : contactId} · ${t("nav.contacts")} · Waymark`;
  }, [load, contactId, t]);

  if (load.state === "loading") return <p className="muted">{t("contact.loading")}</p>;
  if (load.state === "error") {
    return (
      <div className="empty card">
        <h3>{load.missing ? t("contact.missing", { id: contactId }) : t("contact.loadFailed")}</h3>
        <p className="muted">{load.message}</p>
        <Link href="/contacts">{t("contact.backToContacts")}</Link>
      </div>
    );
  }
  const { contact, suppressions, enrollments, skipped, support } = load;
  const active = enrollments.filter((e) => e.status === "active").length;
  return (
    <section className="contact-page">
      <Link className="crumb" href="/contacts">
        ← {t("nav.contacts")}
      </Link>
      <div className="page-head">
        <div>
          <h2>{contact.externalId}</h2>
          <p className="muted small">
            #{contact.id} · {t("contact.inJourneys", { count: active })} ·{" "}
            {t("contact.enrollments", { count: enrollments.length })}
          </p>
        </div>
        <LiveBadge mode={mode} />
      </div>
      <Profile contact={contact} suppressions={suppressions} />
      <SupportActions contact={contact} onChanged={() => void fetchAll()} />
      {support.length > 0 && <SupportTimeline acts={support} />}
      <h3 className="section-title">{t("nav.journeys")}</h3>
      {enrollments.length === 0 ? (
        <div className="empty card" data-testid="no-enrollments">
          <h3>{t("contact.noJourneys")}</h3>
          <p className="muted">{t("contact.noJourneysHint")}</p>
        </div>
      ) : (
        <div className="enrollments">
          {enrollments.map((e) => (
            <EnrollmentCard key={e.id} enrollment={e} zone={contact.timezone} />
          ))}
        </div>
      )}
      {skipped.length > 0 && <SkippedEntries skipped={skipped} zone={contact.timezone} />}
    </section>
  );
}
