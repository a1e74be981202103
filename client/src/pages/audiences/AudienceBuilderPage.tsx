import "../console.css";
import "./audiences.css";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Condition } from "../../../../engine/audience/schema.ts";
import { ApiError, type AudienceIssue, type AudienceMember, api } from "../../api.ts";
import { useDebounced } from "../../editor/useDebounced.ts";
import { useCan } from "../../permissions.ts";
import { Link, navigate } from "../../router/router.tsx";
import { audiencePath } from "../../router/routes.ts";
import { ConditionEditor } from "./ConditionEditor.tsx";
import { asRoot, formatCount, pathText } from "./conditions.ts";
import { issueSentence } from "./issue-text.ts";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; name: string; description: string; definition: Condition };

type Live<T> =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "invalid" }
  | { state: "error"; message: string }
  | { state: "ready"; data: T };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A new audience starts from ?definition= (an RFM cell) or from an empty "all of" group. */
function initial(): { name: string; definition: Condition } {
  const q = new URLSearchParams(window.location.search);
  let definition: Condition = { and: [] };
  const raw = q.get("definition");
  if (raw) {
    try {
      definition = JSON.parse(raw) as Condition;
    } catch {
      // A broken link starts empty rather than failing the page.
    }
  }
  return { name: q.get("name") ?? "", definition: asRoot(definition) };
}

export default function AudienceBuilderPage({ audienceId }: { audienceId: string }) {
  const isNew = audienceId === "new";
  const { t, i18n } = useTranslation();
  const [load, setLoad] = useState<Load>(() =>
    isNew ? { state: "ready", description: "", ...initial() } : { state: "loading" },
  );
  const [issues, setIssues] = useState<AudienceIssue[]>([]);
  // Every role may estimate and preview; saving is for the roles that edit audiences.
  const editable = useCan()("editAudience");
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [estimate, setEstimate] = useState<Live<{ count: number; ms: number }>>({ state: "idle" });
  const [members, setMembers] = useState<Live<AudienceMember[]>>({ state: "idle" });

  useEffect(() => {
    document.title = `${isNew ? t("audiences.new") : audienceId} · Waymark`;
  }, [audienceId, isNew, t]);
  useEffect(() => {
    if (isNew) return;
    api
      .audience(audienceId)
      .then(({ audience: a }) =>
        setLoad({
          state: "ready",
          name: a.name,
          description: a.description ?? "",
          definition: asRoot(a.definition),
        }),
      )
      .catch((err: unknown) => setLoad({ state: "error", message: message(err) }));
  }, [audienceId, isNew]);

  const definition = load.state === "ready" ? load.definition : null;
  const settled = useDebounced(definition, 400);

  // The live estimate and preview: one request each per pause in editing; stale answers dropped.
  useEffect(() => {
    if (!settled) return;
    let current = true;
    setEstimate({ state: "loading" });
    setMembers({ state: "loading" });
    api
      .estimate(settled)
      .then((r) => {
        if (!current) return;
        setEstimate({ state: "ready", data: { count: r.count, ms: r.ms } });
        setIssues(r.issues);
      })
      .catch((err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 422) {
          setEstimate({ state: "invalid" });
          setIssues(err.audienceIssues);
        } else setEstimate({ state: "error", message: message(err) });
      });
    api
      .preview(settled)
      .then((r) => current && setMembers({ state: "ready", data: r.members }))
      .catch((err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 422) setMembers({ state: "invalid" });
        else setMembers({ state: "error", message: message(err) });
      });
    return () => {
      current = false;
    };
  }, [settled]);

  if (load.state === "loading") return <p className="muted">{t("builder.loading")}</p>;
  if (load.state === "error")
    return (
      <div className="empty card">
        <h3>{t("builder.openFailed")}</h3>
        <p className="error">{load.message}</p>
        <Link href="/audiences">{t("builder.back")}</Link>
      </div>
    );

  const update = (patch: Partial<Omit<Extract<Load, { state: "ready" }>, "state">>) => {
    setLoad({ ...load, ...patch });
    setSaved(null);
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    if (load.state !== "ready") return;
    setSaving(true);
    setSaveError(null);
    const body = {
      name: load.name,
      definition: load.definition,
      ...(load.description ? { description: load.description } : {}),
    };
    try {
      const r = isNew ? await api.createAudience(body) : await api.saveAudience(audienceId, body);
      setIssues(r.issues);
      setSaved(t("builder.savedAs", { name: r.audience.name }));
      if (isNew) navigate(audiencePath(r.audience.id), { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.audienceIssues.length > 0) setIssues(err.audienceIssues);
      setSaveError(message(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="audience-builder">
      <Link className="crumb" href="/audiences">
        ← {t("nav.audiences")}
      </Link>
      <form onSubmit={save}>
        <div className="page-head">
          <h2>{isNew ? t("audiences.new") : load.name || audienceId}</h2>
          {editable ? (
            <button type="submit" className="primary" disabled={saving || !load.name.trim()}>
              {saving ? t("common.saving") : t("builder.save")}
            </button>
          ) : (
            <span className="badge badge-readonly" title={t("builder.readOnlyHint")}>
              {t("builder.readOnly")}
            </span>
          )}
        </div>
        <div className="builder-grid">
          <div className="card builder-main">
            <div className="form-row">
              <label htmlFor="audience-name">{t("builder.name")}</label>
              <input
                id="audience-name"
                value={load.name}
                placeholder={t("builder.namePlaceholder")}
                onChange={(e) => update({ name: e.target.value })}
              />
            </div>
            <div className="form-row">
              <label htmlFor="audience-description">{t("audiences.col.description")}</label>
              <input
                id="audience-description"
                value={load.description}
                placeholder={t("builder.descriptionPlaceholder")}
                onChange={(e) => update({ description: e.target.value })}
              />
            </div>
            <h3 className="panel-title">{t("builder.conditions")}</h3>
            <ConditionEditor
              value={load.definition}
              path={[]}
              issues={issues}
              onChange={(definition) => update({ definition })}
            />
            {saved && (
              <p className="ok" role="status">
                {saved}
              </p>
            )}
            {saveError && (
              <p className="error" role="alert">
                {t("builder.saveFailed", { message: saveError })}
              </p>
            )}
            {issues.length > 0 && (
              <ul className="problems" data-testid="audience-issues">
                {issues.map((i) => (
                  <li
                    key={`${i.path.join(".")}:${i.code}`}
                    className={i.severity === "error" ? "error" : ""}
                  >
                    <span className="mono">{pathText(i.path)}</span>
                    {t("audiences.issue.separator")}
                    {issueSentence(t, i18n.language, i)}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <aside className="builder-side">
            <EstimateCard estimate={estimate} />
            <PreviewCard members={members} />
          </aside>
        </div>
      </form>
    </section>
  );
}

function EstimateCard({ estimate }: { estimate: Live<{ count: number; ms: number }> }) {
  const { t } = useTranslation();
  return (
    <div className="card estimate-card" aria-live="polite">
      <div className="muted small">{t("builder.reachesNow")}</div>
      {estimate.state === "ready" ? (
        <>
          <div className="estimate-count" data-testid="estimate">
            {formatCount(estimate.data.count)}
          </div>
          <div className="muted small">
            {t("builder.counted", { count: estimate.data.count, ms: estimate.data.ms })}
          </div>
        </>
      ) : (
        <div className="estimate-count muted">
          {estimate.state === "invalid" ? "—" : estimate.state === "error" ? "?" : "…"}
        </div>
      )}
      {estimate.state === "invalid" && <p className="muted small">{t("builder.fixToCount")}</p>}
      {estimate.state === "error" && <p className="error small">{estimate.message}</p>}
    </div>
  );
}

function PreviewCard({ members }: { members: Live<AudienceMember[]> }) {
  const { t } = useTranslation();
  return (
    <div className="card preview-card">
      <h3 className="panel-title">{t("builder.preview")}</h3>
      {(members.state === "loading" || members.state === "idle") && (
        <p className="muted small">{t("builder.finding")}</p>
      )}
      {members.state === "invalid" && <p className="muted small">{t("builder.noPreview")}</p>}
      {members.state === "error" && <p className="error small">{members.message}</p>}
      {members.state === "ready" && members.data.length === 0 && (
        <p className="muted small">{t("builder.nobody")}</p>
      )}
      {members.state === "ready" && members.data.length > 0 && (
        <ul className="preview-list" data-testid="preview-members">
          {members.data.map((m) => (
            <li key={m.id}>
              <Link href={`/contacts/${encodeURIComponent(m.externalId)}`}>{m.externalId}</Link>
              <span className="muted small">{m.email ?? m.timezone ?? ""}</span>
            </li>
          ))}
        </ul>
      )}
      {members.state === "ready" && members.data.length > 0 && (
        <p className="muted small">{t("builder.newest", { count: 20 })}</p>
      )}
    </div>
  );
}
