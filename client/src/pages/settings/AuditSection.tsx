import { useCallback, useEffect, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import type { AuditEntry } from "../../api.ts";
import { api } from "../../api.ts";
import { auditWhat, auditWhen, auditWho } from "../../editor/versions/audit-text.ts";
import { msgKey } from "../../i18n/index.ts";
import { labelOf } from "../../i18n/labels.ts";

const FILTERS: { value: string; label: string }[] = [
  { value: "", label: msgKey("settings.audit.filter.all") },
  { value: "journey.publish", label: msgKey("settings.audit.filter.publish") },
  { value: "journey.import", label: msgKey("settings.audit.filter.import") },
  { value: "journey.revert", label: msgKey("settings.audit.filter.revert") },
  { value: "settings.update", label: msgKey("settings.audit.filter.settings") },
  { value: "operator.role", label: msgKey("settings.audit.filter.role") },
  { value: "operator.create", label: msgKey("settings.audit.filter.create") },
  { value: "operator.disable", label: msgKey("settings.audit.filter.disable") },
];

/** What an entry is about; a subject type added later shows as recorded. */
const SUBJECTS: Record<string, string> = {
  journey: msgKey("settings.audit.subject.journey"),
  settings: msgKey("settings.audit.subject.settings"),
  operator: msgKey("settings.audit.subject.operator"),
};

/**
 * The audit log (admins): who published, paused, resumed, archived, reverted or imported a
 * journey, and who changed the sending policy, newest first, a page at a time.
 */
export function AuditSection() {
  const [action, setAction] = useState("");
  const { t, i18n } = useTranslation();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (before?: number) => {
      api
        .audit({ ...(action ? { action } : {}), ...(before ? { before } : {}) })
        .then((page) => {
          setEntries((prev) => (before && prev ? [...prev, ...page.entries] : page.entries));
          setNext(page.next);
        })
        .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    },
    [action],
  );
  useEffect(() => load(), [load]);
  const subjectLabel = (type: string) => {
    const key = labelOf(SUBJECTS, type);
    return key ? t(key) : type;
  };

  return (
    <section className="card settings-card" aria-labelledby="s-audit">
      <h3 id="s-audit">{t("settings.audit.title")}</h3>
      <p className="muted">
        <Trans i18nKey="settings.audit.intro" components={{ code: <code /> }} />
      </p>
      <label className="inline-label">
        {t("settings.audit.show")}{" "}
        <select
          value={action}
          onChange={(e) => setAction(e.target.value)}
          aria-label={t("settings.audit.filterLabel")}
        >
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {t(f.label)}
            </option>
          ))}
        </select>
      </label>
      {error && <p className="error">{error}</p>}
      {entries && entries.length === 0 && <p className="muted">{t("settings.audit.none")}</p>}
      {entries && entries.length > 0 && (
        <table className="table small" data-testid="audit-log">
          <thead>
            <tr>
              <th>{t("settings.audit.col.when")}</th>
              <th>{t("settings.audit.col.who")}</th>
              <th>{t("settings.audit.col.what")}</th>
              <th>{t("settings.audit.col.on")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{auditWhen(i18n.language, e.at)}</td>
                <td>{auditWho(t, e)}</td>
                <td>{auditWhat(t, e)}</td>
                <td>
                  {subjectLabel(e.subject.type)}
                  {e.subject.id && <span className="mono"> {e.subject.id}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" onClick={() => load(next)}>
          {t("settings.audit.older")}
        </button>
      )}
    </section>
  );
}
