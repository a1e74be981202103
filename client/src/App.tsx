import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { ApiError, api, type Operator, ROLE_REFUSED } from "./api.ts";
import { canvasWords } from "./canvas/mark-words.ts";
import { ChoosePassword } from "./components/ChoosePassword.tsx";
import { LanguageSwitch } from "./components/LanguageSwitch.tsx";
import { applyLocale, msgKey } from "./i18n/index.ts";
import { ROLE_LABELS } from "./i18n/labels.ts";
import { ContactsPage } from "./pages/Contacts.tsx";
import { JourneysPage } from "./pages/Journeys.tsx";
import { LoginPage } from "./pages/Login.tsx";
import { MessagesPage } from "./pages/Messages.tsx";
import { SettingsPage } from "./pages/settings/SettingsPage.tsx";
import { PermissionsContext } from "./permissions.ts";
import { Link, useRoute } from "./router/router.tsx";
import { type Route, type Section, sectionOf } from "./router/routes.ts";

// The editor carries React Flow, elkjs and the engine: load it when a journey is opened.
const EditorPage = lazy(() => import("./editor/EditorPage.tsx"));
// The inspector draws read-only canvases (React Flow): same reason.
const ContactPage = lazy(() => import("./pages/contact/ContactPage.tsx"));
const AudiencesPage = lazy(() => import("./pages/audiences/AudiencesPage.tsx"));
const AudienceBuilderPage = lazy(() => import("./pages/audiences/AudienceBuilderPage.tsx"));
const ResultsPage = lazy(() => import("./pages/results/ResultsPage.tsx"));

const SECTIONS: readonly { section: Section; href: string; label: string }[] = [
  { section: "journeys", href: "/", label: msgKey("nav.journeys") },
  { section: "audiences", href: "/audiences", label: msgKey("nav.audiences") },
  { section: "contacts", href: "/contacts", label: msgKey("nav.contacts") },
  { section: "messages", href: "/messages", label: msgKey("nav.messages") },
  { section: "settings", href: "/settings", label: msgKey("nav.settings") },
];

type Session =
  | { state: "loading" }
  | { state: "anonymous" }
  | { state: "signed-in"; operator: Operator };

export function App() {
  const [session, setSession] = useState<Session>({ state: "loading" });
  const route = useRoute();
  const { t } = useTranslation();

  const refresh = useCallback(async () => {
    try {
      const { operator } = await api.me();
      // The operator's remembered language (or the browser's) before the first signed-in paint.
      await applyLocale(operator.locale);
      setSession({ state: "signed-in", operator });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setSession({ state: "anonymous" });
      else throw err;
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  // A call refused for the role: re-read it, so the console shows the new role's controls.
  useEffect(() => {
    const reread = () => void refresh().catch(() => undefined);
    window.addEventListener(ROLE_REFUSED, reread);
    return () => window.removeEventListener(ROLE_REFUSED, reread);
  }, [refresh]);

  // The product's name, the same in every language.
  if (session.state === "loading") return <div className="splash">Waymark</div>;
  if (session.state === "anonymous") return <LoginPage onSignedIn={refresh} />;
  const logout = async () => {
    await api.logout();
    setSession({ state: "anonymous" });
  };
  if (session.operator.mustChangePassword)
    return <ChoosePassword operator={session.operator} onChanged={refresh} onLogout={logout} />;
  return (
    <div className={`shell${route.page === "editor" ? " shell-full" : ""}`} style={canvasWords(t)}>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden /> Waymark
        </span>
        <nav aria-label={t("header.mainNav")}>
          {SECTIONS.map(({ section, href, label }) => {
            const active = sectionOf(route) === section;
            return (
              <Link
                key={section}
                className={active ? "active" : ""}
                href={href}
                aria-current={active ? "page" : undefined}
              >
                {t(label)}
              </Link>
            );
          })}
        </nav>
        <span className="spacer" />
        <LanguageSwitch remember={session.operator.via === "session"} />
        <span className="who">
          {session.operator.email} · {t(ROLE_LABELS[session.operator.role])}
        </span>
        <button type="button" className="ghost" onClick={logout}>
          {t("common.logOut")}
        </button>
      </header>
      <main className={route.page === "editor" ? "content-full" : "content"}>
        <PermissionsContext.Provider value={session.operator.permissions}>
          <Page route={route} operator={session.operator} />
        </PermissionsContext.Provider>
      </main>
    </div>
  );
}

function Page({ route, operator }: { route: Route; operator: Operator }) {
  const { t } = useTranslation();
  switch (route.page) {
    case "journeys":
      return <JourneysPage />;
    case "contacts":
      return <ContactsPage />;
    case "contact":
      return (
        <Suspense fallback={<p className="muted">{t("app.loadingInspector")}</p>}>
          <ContactPage key={route.contactId} contactId={route.contactId} />
        </Suspense>
      );
    case "audiences":
      return (
        <Suspense fallback={<p className="muted">{t("app.loadingAudiences")}</p>}>
          <AudiencesPage />
        </Suspense>
      );
    case "audience":
      return (
        <Suspense fallback={<p className="muted">{t("app.loadingBuilder")}</p>}>
          <AudienceBuilderPage key={route.audienceId} audienceId={route.audienceId} />
        </Suspense>
      );
    case "results":
      return (
        <Suspense fallback={<p className="muted">{t("app.loadingResults")}</p>}>
          <ResultsPage key={route.journeyId} journeyId={route.journeyId} />
        </Suspense>
      );
    case "messages":
      return <MessagesPage />;
    case "settings":
      return <SettingsPage operator={operator} />;
    case "editor":
      return (
        <Suspense fallback={<div className="editor-loading muted">{t("app.loadingEditor")}</div>}>
          <EditorPage journeyId={route.journeyId} />
        </Suspense>
      );
    case "not-found":
      return (
        <div className="empty card">
          <h3>{t("app.notFound")}</h3>
          <p className="muted mono">{route.path}</p>
          <Link href="/">{t("app.backToJourneys")}</Link>
        </div>
      );
    default:
      return assertNever(route);
  }
}
