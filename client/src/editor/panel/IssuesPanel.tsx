import { useTranslation } from "react-i18next";
import type { Issue } from "../../../../engine/index.ts";
import { issueText } from "../issue-text.ts";

/**
 * Every validation issue, errors first. Clicking one with a node selects and centres that
 * node; document-level issues (no trigger) have nothing to select.
 */
export function IssuesPanel({
  issues,
  onSelect,
}: {
  issues: readonly Issue[];
  onSelect: (nodeId: string) => void;
}) {
  const { t } = useTranslation();
  const sorted = [...issues].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1,
  );
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <section className="issues-panel" aria-label={t("panel.issues.region")}>
      <h3 className="panel-title">
        {issues.length === 0 ? (
          <span className="ok">{t("panel.issues.none")}</span>
        ) : (
          <>
            {t("nodes.card.errors", { count: errors })} ·{" "}
            {t("nodes.card.warnings", { count: issues.length - errors })}
          </>
        )}
      </h3>
      {sorted.length > 0 && (
        <ul>
          {sorted.map((i, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: issues have no id and may repeat
            <li key={n}>
              <button
                type="button"
                className={`issue issue-${i.severity}`}
                disabled={i.nodeId === undefined}
                onClick={() => i.nodeId !== undefined && onSelect(i.nodeId)}
                title={i.message}
              >
                <span className="issue-node mono">{i.nodeId ?? t("panel.issues.journey")}</span>
                <span className="issue-message">{issueText(t, i)}</span>
                <span className="issue-code mono">{i.code}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
