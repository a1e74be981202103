import { useEffect, useRef, useState } from "react";
import type { Journey } from "../../../engine/index.ts";
import { ApiError, api, type InFlightRow, type PublishOptions } from "../api.ts";
import { diffJourneys } from "./diff.ts";
import { DiffList } from "./versions/DiffList.tsx";

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
  onConfirm: (options: PublishOptions) => Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [live, setLive] = useState<Live>(
    liveVersion === null ? { state: "none" } : { state: "loading" },
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [inFlight, setInFlight] = useState<InFlightRow[] | null>(null);
  // In-flight rows name version row ids; people know versions by number.
  const [numbers, setNumbers] = useState<ReadonlyMap<number, number>>(new Map());
  const [policy, setPolicy] = useState<"pin" | "migrate">("pin");
  const [note, setNote] = useState("");

  // The dry run: how many users sit at each node now, and where moving them would take them.
  useEffect(() => {
    if (liveVersion === null) return;
    api
      .publish(doc.id, { inFlight: "migrate", dryRun: true })
      .then((r) => setInFlight(r.inFlight))
      .catch(() => setInFlight(null));
    api
      .versions(doc.id)
      .then((r) => setNumbers(new Map(r.versions.map((v) => [v.id, v.version]))))
      .catch(() => {});
  }, [doc.id, liveVersion]);

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
          message: `Could not load v${liveVersion}: ${err instanceof Error ? err.message : String(err)}`,
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
      await onConfirm({ inFlight: policy, ...(note.trim() ? { note: note.trim() } : {}) });
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
      <AudienceReach doc={doc} />
      {live.state === "loading" && <p className="muted">Loading the live version…</p>}
      {live.state === "unavailable" && <p className="notice">{live.message}</p>}
      {diff && (
        <DiffList
          diff={diff}
          title={liveVersion === null ? "Steps" : `Changes against v${liveVersion}`}
        />
      )}
      {inFlight && inFlight.length > 0 && (
        <InFlightView
          rows={inFlight}
          numbers={numbers}
          policy={policy}
          onPolicy={setPolicy}
          next={next}
        />
      )}
      <label className="publish-note">
        Note for the version history (optional)
        <textarea
          rows={2}
          maxLength={500}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="What changed and why, e.g. “Warmer copy for the first reminder”"
        />
      </label>
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
          {busy
            ? "Publishing…"
            : `Publish v${next}${policy === "migrate" ? " and move users" : ""}`}
        </button>
      </div>
    </dialog>
  );
}

/** Users already in the journey: stay on their version (default) or move to the new one. */
function InFlightView({
  rows,
  numbers,
  policy,
  onPolicy,
  next,
}: {
  rows: InFlightRow[];
  numbers: ReadonlyMap<number, number>;
  policy: "pin" | "migrate";
  onPolicy: (p: "pin" | "migrate") => void;
  next: number;
}) {
  const total = rows.reduce((n, r) => n + r.users, 0);
  const exiting = rows.filter((r) => r.to === null).reduce((n, r) => n + r.users, 0);
  return (
    <section className="diff" aria-label="Users in the journey">
      <h3 className="panel-title">{total.toLocaleString()} users in the journey now</h3>
      <fieldset className="inflight-policy">
        <label>
          <input
            type="radio"
            name="inflight"
            checked={policy === "pin"}
            onChange={() => onPolicy("pin")}
          />{" "}
          Keep them on the version they entered (recommended)
        </label>
        <label>
          <input
            type="radio"
            name="inflight"
            checked={policy === "migrate"}
            onChange={() => onPolicy("migrate")}
          />{" "}
          Move them to v{next} by step id
          {exiting > 0 ? ` (${exiting.toLocaleString()} at removed steps exit)` : ""}
        </label>
      </fieldset>
      <table className="table small">
        <thead>
          <tr>
            <th>Version</th>
            <th>At step</th>
            <th className="num">Users</th>
            <th>If moved</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.versionId}:${r.node}`}>
              <td className="mono">
                {numbers.has(r.versionId) ? `v${numbers.get(r.versionId)}` : `#${r.versionId}`}
              </td>
              <td className="mono">{r.node}</td>
              <td className="num">{r.users.toLocaleString()}</td>
              <td className={r.to === null ? "error" : "mono"}>{r.to ?? "exit"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

type Reach =
  | { state: "loading" }
  | { state: "ready"; name: string; count: number }
  | { state: "error"; message: string };

/** For an audience-triggered journey: how many contacts the audience holds right now. */
function AudienceReach({ doc }: { doc: Journey }) {
  const trigger = doc.nodes.find((n) => n.type === "trigger");
  const audienceId =
    trigger?.type === "trigger" && trigger.trigger.kind === "audience"
      ? trigger.trigger.audience
      : null;
  const [reach, setReach] = useState<Reach>({ state: "loading" });
  useEffect(() => {
    if (!audienceId) return;
    let current = true;
    api
      .audience(audienceId)
      .then(async ({ audience }) => {
        const { count } = await api.estimate(audience.definition);
        if (current) setReach({ state: "ready", name: audience.name, count });
      })
      .catch((err: unknown) => {
        if (current)
          setReach({ state: "error", message: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      current = false;
    };
  }, [audienceId]);
  if (!audienceId) return null;
  return (
    <p className="notice" data-testid="publish-reach" aria-live="polite">
      {reach.state === "loading" && `Counting the audience “${audienceId}”…`}
      {reach.state === "ready" &&
        `Audience “${reach.name}” reaches ${reach.count.toLocaleString("en-US")} contact${reach.count === 1 ? "" : "s"} now.`}
      {reach.state === "error" && `Could not count the audience “${audienceId}”: ${reach.message}`}
    </p>
  );
}
