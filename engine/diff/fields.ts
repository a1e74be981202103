import { diffWords } from "diff";

/**
 * Field-level differences between two JSON values, for "what changed in this step": one entry
 * per leaf that differs, with its path (`["send", "template"]`). Plain objects are walked key by
 * key; arrays and scalars are compared whole (an `exitOn` list reads better as before/after
 * than as index shuffles). A string changed into a string also carries a word diff, so a
 * reviewer sees which words of a template changed, not two 500-character blobs.
 */

export type WordPart = { op: "same" | "added" | "removed"; text: string };

export interface FieldChange {
  path: string[];
  change: "added" | "removed" | "changed";
  /** Absent when the field is new. */
  before?: unknown;
  /** Absent when the field was removed. */
  after?: unknown;
  /** For a string changed into a string: the words kept, removed and added, in order. */
  words?: WordPart[];
}

/**
 * Beyond this many edits the word diff is dropped (before/after remain): jsdiff's cost grows
 * with the edit distance, and a template rewritten from scratch reads better whole anyway.
 */
const MAX_WORD_EDITS = 400;
/** Objects nested deeper than this compare whole: a bound on recursion for hostile input. */
const MAX_DEPTH = 16;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Canonical JSON (sorted keys) so key order never reads as a change. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      isPlainObject(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? "undefined"
  );
}

export function wordDiff(before: string, after: string): WordPart[] | undefined {
  const parts = diffWords(before, after, { maxEditLength: MAX_WORD_EDITS });
  if (!parts) return undefined;
  return parts.map((p) => ({
    op: p.added ? "added" : p.removed ? "removed" : "same",
    text: p.value,
  }));
}

function leaf(path: string[], before: unknown, after: unknown): FieldChange {
  if (before === undefined) return { path, change: "added", after };
  if (after === undefined) return { path, change: "removed", before };
  const change: FieldChange = { path, change: "changed", before, after };
  if (typeof before === "string" && typeof after === "string") {
    const words = wordDiff(before, after);
    if (words) change.words = words;
  }
  return change;
}

export function fieldChanges(
  before: unknown,
  after: unknown,
  path: string[] = [],
  out: FieldChange[] = [],
): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after) && path.length < MAX_DEPTH) {
    // Own keys only, in a stable order: a `__proto__` key is data here, never a prototype.
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      const b = Object.hasOwn(before, k) ? before[k] : undefined;
      const a = Object.hasOwn(after, k) ? after[k] : undefined;
      fieldChanges(b, a, [...path, k], out);
    }
    return out;
  }
  if (before === undefined && after === undefined) return out;
  if (canonical(before) !== canonical(after)) out.push(leaf(path, before, after));
  return out;
}
