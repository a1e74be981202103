import { useCallback, useEffect, useState } from "react";
import { ApiError, api, type Operator } from "./api.ts";
import { JourneysPage } from "./pages/Journeys.tsx";
import { LoginPage } from "./pages/Login.tsx";

type Session =
  | { state: "loading" }
  | { state: "anonymous" }
  | { state: "signed-in"; operator: Operator };

export function App() {
  const [session, setSession] = useState<Session>({ state: "loading" });

  const refresh = useCallback(async () => {
    try {
      const { operator } = await api.me();
      setSession({ state: "signed-in", operator });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setSession({ state: "anonymous" });
      else throw err;
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (session.state === "loading") return <div className="splash">Waymark</div>;
  if (session.state === "anonymous") return <LoginPage onSignedIn={refresh} />;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden /> Waymark
        </span>
        <nav>
          <a className="active" href="/">
            Journeys
          </a>
        </nav>
        <span className="spacer" />
        <span className="who">
          {session.operator.email} · {session.operator.role}
        </span>
        <button
          type="button"
          className="ghost"
          onClick={async () => {
            await api.logout();
            setSession({ state: "anonymous" });
          }}
        >
          Log out
        </button>
      </header>
      <main className="content">
        <JourneysPage />
      </main>
    </div>
  );
}
