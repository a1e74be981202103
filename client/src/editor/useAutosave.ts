import { useCallback, useEffect, useRef, useState } from "react";
import type { Journey } from "../../../engine/index.ts";
import { ApiError, api } from "../api.ts";

export type SaveState =
  | { kind: "saved" }
  | { kind: "pending" }
  | { kind: "saving" }
  | { kind: "error"; message: string };

const DELAY_MS = 700;

/**
 * Saves the draft a moment after the last edit (debounced PUT), as typed: the server stores a
 * half-filled draft too, and validation issues block publishing only. One request at a time; edits
 * made while a save is in flight are saved right after it, so the server always ends with the
 * latest document. `flush` saves now and resolves when the server has it (publish waits on it).
 */
export function useAutosave(doc: Journey, enabled: boolean) {
  const [state, setState] = useState<SaveState>({ kind: "saved" });
  const saved = useRef(JSON.stringify(doc));
  const latest = useRef(doc);
  const inFlight = useRef<Promise<void> | null>(null);
  latest.current = doc;

  const saveLatest = useCallback(async (): Promise<void> => {
    while (inFlight.current) await inFlight.current;
    const doc = latest.current;
    const text = JSON.stringify(doc);
    if (text === saved.current) {
      setState({ kind: "saved" });
      return;
    }
    setState({ kind: "saving" });
    const run = api
      .saveDraft(doc)
      .then(() => {
        saved.current = text;
        setState(JSON.stringify(latest.current) === text ? { kind: "saved" } : { kind: "pending" });
      })
      .catch((err: unknown) => {
        // The server keeps any draft, well-formed or not (issue 16), so this is the network,
        // the server, or a draft refused as hostile (too large): say so, retry on the next edit.
        const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
        setState({ kind: "error", message });
        throw err;
      })
      .finally(() => {
        inFlight.current = null;
      });
    inFlight.current = run.catch(() => undefined);
    await run;
  }, []);

  useEffect(() => {
    if (!enabled || JSON.stringify(doc) === saved.current) return;
    setState((s) => (s.kind === "saving" ? s : { kind: "pending" }));
    const t = setTimeout(() => void saveLatest().catch(() => undefined), DELAY_MS);
    return () => clearTimeout(t);
  }, [doc, enabled, saveLatest]);

  // Leaving the page with unsaved edits: the browser asks before discarding them.
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (JSON.stringify(latest.current) !== saved.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  /** Whether the document on screen differs from what the server last confirmed. */
  const unsaved = useCallback(() => JSON.stringify(latest.current) !== saved.current, []);

  return { state, flush: saveLatest, unsaved };
}
