import type { Issue } from "../../../../engine/index.ts";

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
  const sorted = [...issues].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1,
  );
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <section className="issues-panel" aria-label="Validation issues">
      <h3 className="panel-title">
        {issues.length === 0 ? (
          <span className="ok">✓ No issues</span>
        ) : (
          <>
            {errors} error{errors === 1 ? "" : "s"} · {issues.length - errors} warning
            {issues.length - errors === 1 ? "" : "s"}
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
              >
                <span className="issue-node mono">{i.nodeId ?? "journey"}</span>
                <span className="issue-message">{i.message}</span>
                <span className="issue-code mono">{i.code}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
