import { type FormEvent, useState } from "react";
import type { Issue } from "../../../../engine/index.ts";
import { ApiError, api } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";

type Result =
  | { kind: "idle" }
  | { kind: "invalid"; message: string; issues: Issue[] }
  | { kind: "done"; id: string; replaced: boolean; warnings: number };

/**
 * Import a format v1 document from a file or pasted text. The server validates it; on 422 the
 * issues are listed with their JSON paths so the author can find them in the file.
 */
export function ImportDialog({
  onClose,
  onImported,
}: {
  onClose: () => void;
  onImported: (id: string) => void;
}) {
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
        message: `Not JSON: ${err instanceof Error ? err.message : String(err)}`,
        issues: [],
      });
      return;
    }
    setBusy(true);
    try {
      const r = await api.importJourney(doc);
      setResult({
        kind: "done",
        id: r.journey.id,
        replaced: r.replacedDraft,
        warnings: r.issues.length,
      });
      onImported(r.journey.id);
    } catch (err) {
      if (err instanceof ApiError)
        setResult({ kind: "invalid", message: err.message, issues: err.issues });
      else setResult({ kind: "invalid", message: String(err), issues: [] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Import a journey" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <label>
          JSON file
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
          Or paste the JSON
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
                    <code>{i.path.length > 0 ? i.path.join(".") : "(document)"}</code> {i.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {result.kind === "done" && (
          <p className="ok" role="status">
            Imported <span className="mono">{result.id}</span>
            {result.replaced ? " (replaced its draft)" : ""}
            {result.warnings > 0
              ? `, ${result.warnings} issue${result.warnings === 1 ? "" : "s"} to review`
              : ""}
            .
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {result.kind === "done" ? "Close" : "Cancel"}
          </button>
          <button type="submit" className="primary" disabled={busy || text.trim() === ""}>
            Import
          </button>
        </div>
      </form>
    </Dialog>
  );
}
