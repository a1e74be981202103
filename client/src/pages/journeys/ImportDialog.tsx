import { type FormEvent, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import type { Issue } from "../../../../engine/index.ts";
import { ApiError, api, type ImportConflict, type ImportMode } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { changesText } from "../../editor/versions/audit-text.ts";
import { DiffList } from "../../editor/versions/DiffList.tsx";
import { isStatus, STATUS_LABELS } from "./list-filter.ts";

type Result =
  | { kind: "idle" }
  | { kind: "invalid"; message: string; issues: Issue[] }
  | { kind: "conflict"; conflict: ImportConflict; doc: unknown }
  | { kind: "done"; id: string; replaced: boolean; warnings: number };

/** A 409 `journey_exists` carries what the import would change; anything else is an error. */
function conflictOf(err: unknown): ImportConflict | null {
  if (!(err instanceof ApiError) || err.status !== 409 || err.code !== "journey_exists")
    return null;
  const d = err.details as Partial<ImportConflict> | null;
  return d?.journey && d.againstDraft ? (d as ImportConflict) : null;
}

/**
 * Import a format v1 document from a file or pasted text. The server validates it; on 422 the
 * issues are listed with their JSON paths so the author can find them in the file. A document
 * whose id already exists is never applied silently: the dialog shows what it would change in
 * that journey's draft (and against its live version) and asks — replace the draft, import it
 * as a new journey, or cancel. The live version is not touched either way.
 */
export function ImportDialog({
  onClose,
  onImported,
}: {
  onClose: () => void;
  onImported: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [result, setResult] = useState<Result>({ kind: "idle" });
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      setResult({
        kind: "invalid",
        message: t("import.notJson", { message: err instanceof Error ? err.message : String(err) }),
        issues: [],
      });
      return;
    }
    await send(doc);
  }

  async function send(doc: unknown, mode?: ImportMode) {
    setBusy(true);
    try {
      const r = await api.importJourney(doc, mode);
      setResult({
        kind: "done",
        id: r.journey.id,
        replaced: r.replacedDraft,
        warnings: r.issues.length,
      });
      onImported(r.journey.id);
    } catch (err) {
      const conflict = conflictOf(err);
      if (conflict) setResult({ kind: "conflict", conflict, doc });
      else if (err instanceof ApiError)
        setResult({ kind: "invalid", message: err.message, issues: err.issues });
      else setResult({ kind: "invalid", message: String(err), issues: [] });
    } finally {
      setBusy(false);
    }
  }

  if (result.kind === "conflict") {
    const { conflict, doc } = result;
    const j = conflict.journey;
    return (
      <Dialog title={t("import.title")} onClose={onClose} wide>
        <div className="import-conflict" role="alert">
          <p>
            {j.liveVersion === null ? (
              <Trans
                i18nKey="import.existsDraft"
                values={{ name: j.name, id: j.id }}
                components={{ strong: <strong />, id: <span className="mono" /> }}
              />
            ) : (
              <Trans
                i18nKey="import.existsLive"
                values={{
                  name: j.name,
                  id: j.id,
                  status: isStatus(j.status) ? t(STATUS_LABELS[j.status]) : j.status,
                  version: j.liveVersion,
                }}
                components={{ strong: <strong />, id: <span className="mono" /> }}
              />
            )}{" "}
            {t("import.wouldReplace")}
          </p>
          <DiffList diff={conflict.againstDraft} title={t("import.draftWouldBecome")} open />
          {conflict.againstLive && j.liveVersion !== null && (
            <p className="muted small">
              {t("import.againstLive", {
                version: j.liveVersion,
                changes: changesText(t, conflict.againstLive.summary.changes),
              })}
            </p>
          )}
          <p className="small">{t("import.liveUntouched")}</p>
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t("common.cancel")}
          </button>
          <button type="button" onClick={() => void send(doc, "new")} disabled={busy}>
            {t("import.asNew")}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => void send(doc, "replace_draft")}
            disabled={busy}
          >
            {t("import.replaceDraft")}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={t("import.title")} onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <label>
          {t("import.file")}
          <input
            type="file"
            accept="application/json,.json"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) setText(await file.text());
            }}
          />
        </label>
        <label>
          {t("import.paste")}
          <textarea
            className="mono-input"
            rows={10}
            value={text}
            spellCheck={false}
            onChange={(e) => setText(e.target.value)}
            placeholder='{ "format": "waymark/journey@1", … }'
          />
        </label>
        {result.kind === "invalid" && (
          <div className="import-issues" role="alert">
            <p className="error">{result.message}</p>
            {result.issues.length > 0 && (
              <ul>
                {result.issues.map((i, n) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: issues have no id
                  <li key={n}>
                    <code>{i.path.length > 0 ? i.path.join(".") : t("import.document")}</code>{" "}
                    {i.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {result.kind === "done" && (
          <p className="ok" role="status">
            {result.replaced
              ? t("import.doneReplaced", { id: result.id, count: result.warnings })
              : t("import.done", { id: result.id, count: result.warnings })}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {result.kind === "done" ? t("common.close") : t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy || text.trim() === ""}>
            {t("import.submit")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
