import type { TFunction } from "i18next";
import { assertNever } from "../../../../engine/shared/assert-never.ts";
import type { JourneyStatus } from "../../api.ts";
import { msgKey } from "../../i18n/index.ts";
import type { JourneyDiff } from "../diff.ts";
import { changesText } from "./audit-text.ts";

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

export function draftLabel(t: TFunction, s: DraftState, status: JourneyStatus): string {
  // The version users are on: held there while paused; the last one once archived.
  const live = t(
    status === "paused"
      ? msgKey("versions.draft.paused")
      : status === "archived"
        ? msgKey("versions.draft.archived")
        : msgKey("versions.draft.live"),
  );
  switch (s.kind) {
    case "unpublished":
      return t("versions.draft.unpublished");
    case "loading":
      return t("versions.draft.loading", { live, version: s.version });
    case "same":
      return t("versions.draft.same", { live, version: s.version });
    case "differs":
      return t("versions.draft.differs", {
        live,
        version: s.version,
        changes: changesText(t, s.changes),
      });
    default:
      return assertNever(s);
  }
}
