import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Journey } from "../../../engine/index.ts";
import { ApiError, api, type InFlightRow, type PublishOptions } from "../api.ts";
import { useFormat } from "../i18n/format.ts";
import { diffJourneys } from "./diff.ts";
import { issueText } from "./issue-text.ts";
import { DiffList } from "./versions/DiffList.tsx";

type Live =
  | { state: "loading" }
  | { state: "none" }
  | { state: "ready"; doc: Journey }
  | { state: "unavailable"; version: number; message: string };

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
  const { t } = useTranslation();
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
          version: liveVersion,
          message: err instanceof Error ? err.message : String(err),
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
          ? err.issues.map((i) => issueText(t, i)).join(t("editor.publish.issueSeparator"))
          : String(err),
      );
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="publish-title" onCancel={onCancel}>
      <h2 id="publish-title">{t("editor.publish.title", { version: next })}</h2>
      <p className="muted">
        {liveVersion === null
          ? t("editor.publish.first")
          : t("editor.publish.replaces", { version: liveVersion })}
      </p>
      <AudienceReach doc={doc} />
      {live.state === "loading" && <p className="muted">{t("editor.publish.loadingLive")}</p>}
      {live.state === "unavailable" && (
        <p className="notice">
          {t("editor.publish.liveUnavailable", { version: live.version, message: live.message })}
        </p>
      )}
      {diff && (
        <DiffList
          diff={diff}
          title={
            liveVersion === null
              ? t("editor.palette.title")
              : t("editor.publish.changes", { version: liveVersion })
          }
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
        {t("editor.publish.note")}
        <textarea
          rows={2}
          maxLength={500}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t("editor.publish.notePlaceholder")}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          {t("common.cancel")}
        </button>
        <button type="button" className="primary" onClick={confirm} disabled={busy}>
          {busy
            ? t("editor.publish.publishing")
            : policy === "migrate"
              ? t("editor.publish.confirmMove", { version: next })
              : t("editor.publish.title", { version: next })}
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
  const { t } = useTranslation();
  const format = useFormat();
  const total = rows.reduce((n, r) => n + r.users, 0);
  const exiting = rows.filter((r) => r.to === null).reduce((n, r) => n + r.users, 0);
  return (
    <section className="diff" aria-label={t("editor.publish.inFlight")}>
      <h3 className="panel-title">
        {t("editor.publish.inFlightNow", { count: total, n: format.number(total) })}
      </h3>
      <fieldset className="inflight-policy">
        <label>
          <input
            type="radio"
            name="inflight"
            checked={policy === "pin"}
            onChange={() => onPolicy("pin")}
          />{" "}
          {t("editor.publish.pin")}
        </label>
        <label>
          <input
            type="radio"
            name="inflight"
            checked={policy === "migrate"}
            onChange={() => onPolicy("migrate")}
          />{" "}
          {exiting > 0
            ? t("editor.publish.migrateExiting", {
                version: next,
                count: exiting,
                n: format.number(exiting),
              })
            : t("editor.publish.migrate", { version: next })}
        </label>
      </fieldset>
      <table className="table small">
        <thead>
          <tr>
            <th>{t("editor.publish.col.version")}</th>
            <th>{t("editor.publish.col.step")}</th>
            <th className="num">{t("editor.publish.col.users")}</th>
            <th>{t("editor.publish.col.moved")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.versionId}:${r.node}`}>
              <td className="mono">
                {numbers.has(r.versionId) ? `v${numbers.get(r.versionId)}` : `#${r.versionId}`}
              </td>
              <td className="mono">{r.node}</td>
              <td className="num">{format.number(r.users)}</td>
              <td className={r.to === null ? "error" : "mono"}>
                {r.to ?? t("editor.publish.exit")}
              </td>
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
  const { t } = useTranslation();
  const format = useFormat();
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
      {reach.state === "loading" && t("editor.publish.reachCounting", { audience: audienceId })}
      {reach.state === "ready" &&
        t("editor.publish.reach", {
          audience: reach.name,
          count: reach.count,
          n: format.number(reach.count),
        })}
      {reach.state === "error" &&
        t("editor.publish.reachFailed", { audience: audienceId, message: reach.message })}
    </p>
  );
}
