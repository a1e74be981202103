import "./versions.css";
import { useTranslation } from "react-i18next";
import type { Edge } from "../../../../engine/index.ts";
import { parseDurationText } from "../../i18n/duration-text.ts";
import { formatDuration } from "../../i18n/format.ts";
import { type FieldChange, isEmptyDiff, type JourneyDiff, type NodeDiff } from "../diff.ts";
import { NODE_UI } from "../nodes/registry.ts";
import { changesText } from "./audit-text.ts";

/**
 * A diff as a reviewer reads it: steps added, changed and removed (a changed step opens to
 * its field-level changes, template text word by word), then connections and journey-level
 * fields. The publish dialog, the compare panel and the import dialog all show this.
 */
export function DiffList({
  diff,
  title,
  onFocusNode,
  open = false,
}: {
  diff: JourneyDiff;
  title: string;
  /** Clicking a step's id: focus it on the canvas. */
  onFocusNode?: ((nodeId: string) => void) | undefined;
  /** Changed steps start expanded. */
  open?: boolean;
}) {
  const { t } = useTranslation();
  if (isEmptyDiff(diff))
    return (
      <section className="diff" aria-label={title}>
        <h3 className="panel-title">{title}</h3>
        <p className="muted">
          {diff.summary.moved > 0
            ? t("versions.diff.noChangesMoved")
            : t("versions.diff.noChanges")}
        </p>
      </section>
    );
  const standalone = (e: Edge) =>
    !diff.nodes.some((n) => n.change !== "changed" && (n.nodeId === e.from || n.nodeId === e.to));
  const edgesAdded = diff.edges.added.filter(standalone);
  const edgesRemoved = diff.edges.removed.filter(standalone);
  return (
    <section className="diff" aria-label={title}>
      <h3 className="panel-title">
        {title} · {changesText(t, diff.summary.changes)}
      </h3>
      <ul>
        {diff.nodes.map((n) => (
          <NodeRow key={`${n.change}:${n.nodeId}`} diff={n} onFocus={onFocusNode} open={open} />
        ))}
        {edgesAdded.map((e) => (
          <EdgeRow key={`+${e.from}:${e.path ?? ""}:${e.to}`} edge={e} kind="added" />
        ))}
        {edgesRemoved.map((e) => (
          <EdgeRow key={`-${e.from}:${e.path ?? ""}:${e.to}`} edge={e} kind="removed" />
        ))}
        {diff.journey.map((f) => (
          <li key={`doc:${f.path.join(".")}`} className={`diff-${kindOf(f)}`}>
            <span className="diff-mark">{mark(kindOf(f))}</span>
            <div className="diff-body">
              <span>{t("versions.diff.journeyField", { path: f.path.join(".") })}</span>
              <FieldValue change={f} />
            </div>
          </li>
        ))}
      </ul>
      {diff.summary.moved > 0 && (
        <p className="muted small">{t("versions.diff.moved", { count: diff.summary.moved })}</p>
      )}
    </section>
  );
}

const kindOf = (f: FieldChange) => f.change;
const mark = (kind: "added" | "removed" | "changed") =>
  kind === "added" ? "+" : kind === "removed" ? "−" : "~";

function NodeRow({
  diff,
  onFocus,
  open,
}: {
  diff: NodeDiff;
  onFocus: ((nodeId: string) => void) | undefined;
  open: boolean;
}) {
  const { t } = useTranslation();
  const id = onFocus ? (
    <button type="button" className="linklike mono" onClick={() => onFocus(diff.nodeId)}>
      {diff.nodeId}
    </button>
  ) : (
    <span className="mono">{diff.nodeId}</span>
  );
  const head = (
    <>
      {id} <span className="muted">{NODE_UI[diff.type].label}</span>
    </>
  );
  return (
    <li className={`diff-${diff.change}`} data-diff-node={diff.nodeId} data-change={diff.change}>
      <span className="diff-mark">{mark(diff.change)}</span>
      {diff.change === "changed" ? (
        <details className="diff-body" open={open}>
          <summary>
            {head}
            <span className="diff-what">{diff.fields.map((f) => f.path.join(".")).join(", ")}</span>
          </summary>
          <dl className="field-diff">
            {diff.fields.map((f) => (
              <div key={f.path.join(".")}>
                <dt className="mono">{f.path.join(".")}</dt>
                <dd>
                  <FieldValue change={f} />
                </dd>
              </div>
            ))}
          </dl>
        </details>
      ) : (
        <div className="diff-body">
          {head}
          <span className="diff-what">
            {diff.change === "added" ? t("versions.diff.newStep") : t("versions.diff.removedStep")}
          </span>
        </div>
      )}
    </li>
  );
}

function EdgeRow({ edge, kind }: { edge: Edge; kind: "added" | "removed" }) {
  const { t } = useTranslation();
  return (
    <li className={`diff-${kind}`}>
      <span className="diff-mark">{mark(kind)}</span>
      <div className="diff-body">
        <span className="mono">
          {edge.from}
          {edge.path ? ` (${edge.path})` : ""} → {edge.to}
        </span>
        <span className="diff-what">
          {kind === "added" ? t("versions.diff.edgeAdded") : t("versions.diff.edgeRemoved")}
        </span>
      </div>
    </li>
  );
}

/**
 * A value as the reviewer reads it: a duration as people say it ("PT1H" → "1 hour" / "1小时",
 * never ISO), anything else as text, long ones cut.
 */
function short(value: unknown, locale: string): string {
  if (typeof value === "string" && parseDurationText(value) === value)
    return formatDuration(locale, value);
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/** Before → after, or the words that changed when the field is text. */
export function FieldValue({ change }: { change: FieldChange }) {
  const { i18n } = useTranslation();
  // Words help only when some survive ("PT1H" → "PT2H" reads better as before → after).
  if (change.words?.some((w) => w.op === "same"))
    return (
      <span className="word-diff">
        {(change.words ?? []).map((w, i) =>
          w.op === "added" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: word parts are positional
            <ins key={i}>{w.text}</ins>
          ) : w.op === "removed" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: word parts are positional
            <del key={i}>{w.text}</del>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: word parts are positional
            <span key={i}>{w.text}</span>
          ),
        )}
      </span>
    );
  return (
    <span className="value-diff">
      {change.before !== undefined && <del>{short(change.before, i18n.language)}</del>}
      {change.before !== undefined && change.after !== undefined && " → "}
      {change.after !== undefined && <ins>{short(change.after, i18n.language)}</ins>}
    </span>
  );
}
