import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Journey } from "../../../../engine/index.ts";
import { api, type JourneyDetail } from "../../api.ts";
import { diffJourneys } from "../diff.ts";
import { draftState } from "./draft-state.ts";
import { loadCompare, loadVersion, type Side, type Stage } from "./stage.ts";
import { useLiveDoc } from "./useLiveDoc.ts";

/**
 * The editor's side of versions: the draft against the live version (the header's line), what
 * the canvas column shows (the draft, a version, a comparison), and the actions that change
 * it. Revert and discard replace the draft on the server, then hand the new journey to
 * `onReplaced`, which reopens the editor on it.
 */
export function useHistory({
  journeyId,
  liveVersion,
  settled,
  flush,
  clearSelection,
  notify,
  showPanel,
  onReplaced,
}: {
  journeyId: string;
  liveVersion: number | null;
  /** The draft as last validated (debounced), for the header's diff. */
  settled: Journey;
  flush: () => Promise<void>;
  clearSelection: () => void;
  notify: (message: string | null) => void;
  showPanel: () => void;
  onReplaced: (detail: JourneyDetail, notice: string) => void;
}) {
  const { t } = useTranslation();
  const [stage, setStage] = useState<Stage>({ kind: "draft" });
  const [confirm, setConfirm] = useState<number | "discard" | null>(null);
  const [tick, setTick] = useState(0);
  const liveDoc = useLiveDoc(journeyId, liveVersion);
  const liveDiff = useMemo(
    () => (liveDoc ? diffJourneys(liveDoc, settled) : null),
    [liveDoc, settled],
  );

  /** Saves pending edits so the server's draft is the one on screen; false if it cannot. */
  async function flushed(): Promise<boolean> {
    try {
      await flush();
      return true;
    } catch {
      return false;
    }
  }

  async function show(load: () => Promise<Stage>) {
    try {
      setStage(await load());
      clearSelection();
      // A stale toast ("v2 is live.") would sit over the stage's banner.
      notify(null);
    } catch (err) {
      notify(err instanceof Error ? err.message : String(err));
    }
  }

  async function compare(from: Side, to: Side) {
    const saved = await flushed();
    showPanel();
    await show(() => loadCompare(journeyId, from, to));
    if (!saved) notify(t("versions.notice.unsavedCompare"));
  }

  /** Revert or discard on the server, then reopen the editor on the new draft. */
  async function replaceDraft(
    run: () => Promise<{ version: number }>,
    done: (v: number) => string,
  ) {
    // Pending edits are saved first, so no autosave can land after the revert and undo it.
    await flushed();
    try {
      const r = await run();
      onReplaced(await api.journey(journeyId), done(r.version));
    } catch (err) {
      notify(err instanceof Error ? err.message : String(err));
    }
  }

  return {
    stage,
    draft: draftState(liveVersion, liveDiff),
    confirm,
    setConfirm,
    /** Changes after publish, pause, resume: the Versions panel reloads on it. */
    tick,
    changed: () => setTick((n) => n + 1),
    backToDraft: () => setStage({ kind: "draft" }),
    open: (version: number) => void show(() => loadVersion(journeyId, version)),
    compare: (from: Side, to: Side) => void compare(from, to),
    restore: (version: number) =>
      replaceDraft(
        () => api.revert(journeyId, version),
        (n) => t("versions.notice.restored", { version: n }),
      ),
    discard: () =>
      replaceDraft(
        () => api.discardDraft(journeyId),
        (n) => t("versions.notice.discarded", { version: n }),
      ),
  };
}
