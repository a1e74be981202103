import { useEffect, useRef, useState } from "react";
import type { Journey } from "../../../engine/index.ts";
import { ApiError, api } from "../api.ts";
import { diffJourneys, isEmptyDiff, type JourneyDiff } from "./diff.ts";
import { NODE_META } from "./summary.ts";

type Live =
  | { state: "loading" }
  | { state: "none" }
  | { state: "ready"; doc: Journey }
  | { state: "unavailable"; message: string };

/**
 * Review before going live: what changes against the live version, node by node, then
 * confirm. Users already in the journey stay on the version they entered.
 */
export function PublishDialog({
  doc,
  liveVersion,
  onCancel,
  onConfirm,
}: {
  doc: Journey;
  liveVersion: number | null;
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [live, setLive] = useState<Live>(
    liveVersion === null ? { state: "none" } : { state: "loading" },
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    if (liveVersion === null) return;
    api
      .versionDefinition(doc.id, liveVersion)
      .then((r) => setLive({ state: "ready", doc: r.definition }))
      .catch((err: unknown) =>
        setLive({
          state: "unavailable",
          message:
            err instanceof ApiError && err.status === 404
              ? `The server does not serve v${liveVersion}'s definition yet, so the diff cannot be shown.`
              : `Could not load v${liveVersion}: ${err instanceof Error ? err.message : String(err)}`,
        }),
      );
  }, [doc.id, liveVersion]);

  const diff =
    live.state === "ready"
      ? diffJourneys(live.doc, doc)
      : live.state === "none"
        ? diffJourneys(null, doc)
        : null;
  const next = (liveVersion ?? 0) + 1;

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (err) {
      setError(
        err instanceof ApiError && err.issues.length > 0
          ? err.issues.map((i) => i.message).join("; ")
          : String(err),
      );
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="publish-title" onCancel={onCancel}>
      <h2 id="publish-title">Publish v{next}</h2>
      <p className="muted">
        {liveVersion === null
          ? "This journey goes live: users who match its trigger start entering it."
          : `Replaces v${liveVersion} for new entries. Users already in the journey stay on the version they entered.`}
      </p>
      {live.state === "loading" && <p className="muted">Loading the live version…</p>}
      {live.state === "unavailable" && <p className="notice">{live.message}</p>}
      {diff && <DiffView diff={diff} against={liveVersion} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={confirm} disabled={busy}>
          {busy ? "Publishing…" : `Publish v${next}`}
        </button>
      </div>
    </dialog>
  );
}

function DiffView({ diff, against }: { diff: JourneyDiff; against: number | null }) {
  if (isEmptyDiff(diff)) return <p className="muted">No changes against v{against}.</p>;
  const rows = [
    ...diff.added.map((n) => ({ kind: "added", id: n.id, type: n.type, what: "new step" })),
    ...diff.changed.map((c) => ({
      kind: "changed",
      id: c.after.id,
      type: c.after.type,
      what: c.fields.join(", "),
    })),
    ...diff.removed.map((n) => ({ kind: "removed", id: n.id, type: n.type, what: "removed" })),
  ];
  return (
    <section className="diff" aria-label="Changes">
      <h3 className="panel-title">{against === null ? "Steps" : `Changes against v${against}`}</h3>
      <ul>
        {rows.map((r) => (
          <li key={`${r.kind}:${r.id}`} className={`diff-${r.kind}`}>
            <span className="diff-mark">
              {r.kind === "added" ? "+" : r.kind === "removed" ? "−" : "~"}
            </span>
            <span className="mono">{r.id}</span>{" "}
            <span className="muted">{NODE_META[r.type].label}</span>
            <span className="diff-what">{r.what}</span>
          </li>
        ))}
      </ul>
      {(diff.edgesAdded.length > 0 || diff.edgesRemoved.length > 0) && (
        <p className="muted small">
          Connections: {diff.edgesAdded.length} added, {diff.edgesRemoved.length} removed.
        </p>
      )}
      {diff.settingsChanged && <p className="muted small">Journey settings changed.</p>}
      {diff.renamed && <p className="muted small">Journey renamed.</p>}
    </section>
  );
}
