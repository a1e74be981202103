import type { Journey } from "../../../../engine/index.ts";
import { api, type DiffResponse, type VersionDetail } from "../../api.ts";
import { versionDoc } from "../../pages/contact/versions.ts";

/** One side of a comparison: a published version's number, or the draft. */
export type Side = number | "draft";

/**
 * What the editor's canvas column shows: the draft (editable), one published version
 * (read-only, with the users on it now), or two documents compared with the diff painted.
 */
export type Stage =
  | { kind: "draft" }
  | { kind: "version"; detail: VersionDetail }
  | {
      kind: "compare";
      from: Side;
      to: Side;
      diff: DiffResponse;
      fromDoc: Journey;
      toDoc: Journey;
    };

async function sideDoc(journeyId: string, side: Side): Promise<Journey> {
  if (side !== "draft") return versionDoc(journeyId, side);
  const { draft } = await api.journey(journeyId);
  if (!draft) throw new Error("the journey has no draft");
  return draft;
}

/**
 * A comparison as the API computes it (the same JSON `GET /diff` returns), with both
 * documents for the canvas. The draft side is the saved draft: callers flush edits first.
 */
export async function loadCompare(journeyId: string, from: Side, to: Side): Promise<Stage> {
  const [diff, fromDoc, toDoc] = await Promise.all([
    api.diff(journeyId, from, to),
    sideDoc(journeyId, from),
    sideDoc(journeyId, to),
  ]);
  return { kind: "compare", from, to, diff, fromDoc, toDoc };
}

export async function loadVersion(journeyId: string, version: number): Promise<Stage> {
  return { kind: "version", detail: await api.versionDefinition(journeyId, version) };
}
