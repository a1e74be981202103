import type { EdgeChange, NodeChange } from "@xyflow/react";
import { useCallback, useMemo, useReducer } from "react";
import type { Journey } from "../../../engine/index.ts";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import { applyChange, type DocChange } from "./changes.ts";
import { canRedo, canUndo, commit, type History, redo, startHistory, undo } from "./history.ts";
import { applySelection } from "./mapping.ts";

/**
 * The editor's state: the document's history plus what is selected. Every edit goes through
 * `apply` with a change object; selection is kept apart from the document (selecting is not
 * an edit and is not undone).
 */
type State = {
  history: History;
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
};

type Action =
  | { type: "apply"; change: DocChange; mergeKey: string | null; select?: readonly string[] }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "select"; nodes: readonly string[] }
  | { type: "node-changes"; changes: readonly NodeChange[] }
  | { type: "edge-changes"; changes: readonly EdgeChange[] };

const EMPTY: ReadonlySet<string> = new Set();

function prune(state: State): State {
  const ids = new Set(state.history.present.nodes.map((n) => n.id));
  const nodes = [...state.nodes].filter((id) => ids.has(id));
  return nodes.length === state.nodes.size ? state : { ...state, nodes: new Set(nodes) };
}

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case "apply": {
      const doc = applyChange(state.history.present, action.change);
      const history = commit(state.history, doc, action.mergeKey);
      if (history === state.history && !action.select) return state;
      const next = { ...state, history };
      if (action.select) return { ...next, nodes: new Set(action.select), edges: EMPTY };
      // Removing edges changes edge ids; clear the edge selection rather than keep stale ids.
      return prune(action.change.type === "remove" ? { ...next, edges: EMPTY } : next);
    }
    case "undo":
      return prune({ ...state, history: undo(state.history), edges: EMPTY });
    case "redo":
      return prune({ ...state, history: redo(state.history), edges: EMPTY });
    case "select":
      return { ...state, nodes: new Set(action.nodes), edges: EMPTY };
    case "node-changes": {
      const nodes = applySelection(state.nodes, action.changes);
      return nodes === state.nodes ? state : { ...state, nodes };
    }
    case "edge-changes": {
      const edges = applySelection(state.edges, action.changes);
      return edges === state.edges ? state : { ...state, edges };
    }
    default:
      return assertNever(action);
  }
}

export function useEditor(initial: Journey) {
  const [state, dispatch] = useReducer(reducer, initial, (doc) => ({
    history: startHistory(doc),
    nodes: EMPTY,
    edges: EMPTY,
  }));

  const apply = useCallback(
    (change: DocChange, options: { mergeKey?: string | null; select?: readonly string[] } = {}) => {
      const action: Action = { type: "apply", change, mergeKey: options.mergeKey ?? null };
      if (options.select) action.select = options.select;
      dispatch(action);
    },
    [],
  );

  const actions = useMemo(
    () => ({
      apply,
      undo: () => dispatch({ type: "undo" }),
      redo: () => dispatch({ type: "redo" }),
      select: (nodes: readonly string[]) => dispatch({ type: "select", nodes }),
      nodeChanges: (changes: readonly NodeChange[]) => dispatch({ type: "node-changes", changes }),
      edgeChanges: (changes: readonly EdgeChange[]) => dispatch({ type: "edge-changes", changes }),
    }),
    [apply],
  );

  return {
    doc: state.history.present,
    selectedNodes: state.nodes,
    selectedEdges: state.edges,
    canUndo: canUndo(state.history),
    canRedo: canRedo(state.history),
    ...actions,
  };
}

export type EditorApi = ReturnType<typeof useEditor>;
