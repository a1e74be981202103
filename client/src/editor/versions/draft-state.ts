import { assertNever } from "../../../../engine/shared/assert-never.ts";
import type { JourneyStatus } from "../../api.ts";
import { changesLabel, type JourneyDiff } from "../diff.ts";

/**
 * The header's one line about the draft against what users are on: "Draft = live v2", "Draft —
 * differs from live v2 (3 changes)", or that nothing is published yet. Pure, so every state is
 * tested without a browser.
 */
export type DraftState =
  | { kind: "unpublished" }
  | { kind: "loading"; version: number }
  | { kind: "same"; version: number }
  | { kind: "differs"; version: number; changes: number };

export function draftState(liveVersion: number | null, liveDiff: JourneyDiff | null): DraftState {
  if (liveVersion === null) return { kind: "unpublished" };
  if (!liveDiff) return { kind: "loading", version: liveVersion };
  return liveDiff.summary.changes === 0
    ? { kind: "same", version: liveVersion }
    : { kind: "differs", version: liveVersion, changes: liveDiff.summary.changes };
}

export function draftLabel(s: DraftState, status: JourneyStatus): string {
  // The version users are on: held there while paused; the last one once archived.
  const live = status === "paused" ? "paused" : status === "archived" ? "archived" : "live";
  switch (s.kind) {
    case "unpublished":
      return "Draft · not published yet";
    case "loading":
      return `Draft · comparing with ${live} v${s.version}…`;
    case "same":
      return `Draft = ${live} v${s.version}`;
    case "differs":
      return `Draft — differs from ${live} v${s.version} (${changesLabel(s.changes)})`;
    default:
      return assertNever(s);
  }
}
