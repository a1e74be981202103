import type { Journey } from "../../../engine/index.ts";

/**
 * Undo/redo as a stack of whole documents: documents are immutable and share unchanged
 * nodes, so a step costs a few arrays, and undo can never disagree with what was shown.
 */
export type History = {
  past: readonly Journey[];
  present: Journey;
  future: readonly Journey[];
  /**
   * Consecutive commits with the same key merge into one step: a drag's many moves, or the
   * keystrokes typed into one field, undo together.
   */
  mergeKey: string | null;
};

const LIMIT = 200;

export function startHistory(doc: Journey): History {
  return { past: [], present: doc, future: [], mergeKey: null };
}

export function commit(h: History, doc: Journey, mergeKey: string | null = null): History {
  if (doc === h.present) return h;
  if (mergeKey !== null && mergeKey === h.mergeKey) {
    return { ...h, present: doc, future: [] };
  }
  const past = [...h.past, h.present];
  return {
    past: past.length > LIMIT ? past.slice(-LIMIT) : past,
    present: doc,
    future: [],
    mergeKey,
  };
}

export function undo(h: History): History {
  const prev = h.past.at(-1);
  if (!prev) return h;
  return {
    past: h.past.slice(0, -1),
    present: prev,
    future: [h.present, ...h.future],
    mergeKey: null,
  };
}

export function redo(h: History): History {
  const next = h.future[0];
  if (!next) return h;
  return { past: [...h.past, h.present], present: next, future: h.future.slice(1), mergeKey: null };
}

export const canUndo = (h: History) => h.past.length > 0;
export const canRedo = (h: History) => h.future.length > 0;
