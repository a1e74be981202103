import { getViewportForBounds, useReactFlow } from "@xyflow/react";
import { type RefObject, useCallback, useMemo, useRef } from "react";
import type { NodeType } from "../../../engine/index.ts";
import { firstFreePath, outPaths } from "./changes.ts";
import { type Clip, copyNodes, pasteNodes } from "./clipboard.ts";
import { defaultNode, nextNodeId, type XY } from "./defaults.ts";
import { DEFAULT_SIZE, layoutBounds, layoutJourney } from "./layout.ts";
import type { JourneyFlowEdge, JourneyFlowNode, Size } from "./mapping.ts";
import type { EditorApi } from "./useEditor.ts";

/** The canvas's own minimum zoom (Canvas.tsx), so a large journey still fits. */
const MIN_ZOOM = 0.1;

/** The in-tab clipboard: copies survive switching journeys (paste into another journey). */
let clipboard: Clip | null = null;

/**
 * Editor commands shared by the palette, the toolbar and the keyboard: each builds change
 * objects and hands them to `editor.apply`; none touches React Flow state directly.
 */
export function useCommands(
  editor: EditorApi,
  canvas: RefObject<HTMLDivElement | null>,
  sizes: ReadonlyMap<string, Size>,
) {
  const rf = useReactFlow<JourneyFlowNode, JourneyFlowEdge>();
  const pastes = useRef(0);
  const { doc, selectedNodes, selectedEdges, apply } = editor;

  /** The flow position at the middle of the visible canvas. */
  const viewCenter = useCallback((): XY => {
    const rect = canvas.current?.getBoundingClientRect();
    if (!rect) return { x: 0, y: 0 };
    const p = rf.screenToFlowPosition({
      x: rect.left + rect.width / 2,
      y: rect.top + rect.height / 2,
    });
    return { x: p.x - DEFAULT_SIZE.width / 2, y: p.y - DEFAULT_SIZE.height / 2 };
  }, [rf, canvas]);

  /**
   * Adds a node. Without a drop position (click-to-add) it goes after the selected node and is
   * connected to its first free out-path, so a journey can be built by clicking down the chain.
   */
  const addNode = useCallback(
    (type: NodeType, dropAt?: XY) => {
      const id = nextNodeId(type, new Set(doc.nodes.map((n) => n.id)));
      const only =
        selectedNodes.size === 1 ? doc.nodes.find((n) => selectedNodes.has(n.id)) : undefined;
      const free = !dropAt && only ? firstFreePath(doc, only) : null;
      let position = dropAt ?? viewCenter();
      if (!dropAt && only && free) {
        const at = only.position ?? { x: 0, y: 0 };
        const lane = Math.max(0, outPaths(only).indexOf(free.path));
        position = {
          x: at.x + DEFAULT_SIZE.width + 80,
          y: at.y + lane * (DEFAULT_SIZE.height + 40),
        };
      }
      const node = defaultNode(
        type,
        id,
        { x: Math.round(position.x), y: Math.round(position.y) },
        doc,
      );
      const edges = only && free && type !== "trigger" ? [{ from: only.id, to: id, ...free }] : [];
      apply({ type: "add", nodes: [node], edges }, { select: [id] });
    },
    [doc, selectedNodes, apply, viewCenter],
  );

  const copy = useCallback(() => {
    const clip = copyNodes(doc, selectedNodes);
    if (clip) {
      clipboard = clip;
      pastes.current = 0;
    }
    return clip !== null;
  }, [doc, selectedNodes]);

  const paste = useCallback(() => {
    if (!clipboard) return;
    pastes.current += 1;
    // Each paste lands a step further down-right, so repeated pastes do not stack invisibly.
    const step = 40 * pastes.current;
    const { nodes, edges } = pasteNodes(doc, clipboard, { x: step, y: step });
    if (nodes.length > 0) apply({ type: "add", nodes, edges }, { select: nodes.map((n) => n.id) });
  }, [doc, apply]);

  const deleteSelection = useCallback(() => {
    const flowEdges = rf.getEdges().filter((e) => selectedEdges.has(e.id));
    const edges = flowEdges.flatMap((e) => (e.data ? [e.data.edge] : []));
    if (selectedNodes.size === 0 && edges.length === 0) return;
    apply({ type: "remove", nodeIds: [...selectedNodes], edges });
  }, [rf, selectedNodes, selectedEdges, apply]);

  const autoLayout = useCallback(async () => {
    const positions = await layoutJourney(doc, sizes);
    apply({ type: "move", positions: Object.fromEntries(positions) });
    // Fit the new positions themselves: fitView reads the nodes React Flow holds, which are
    // still the old ones until this change renders, so it framed the previous layout (issue 16).
    const rect = canvas.current?.getBoundingClientRect();
    const bounds = layoutBounds(positions, sizes);
    if (!rect || !bounds) return;
    const view = getViewportForBounds(bounds, rect.width, rect.height, MIN_ZOOM, 1.1, 0.1);
    void rf.setViewport(view, { duration: 300 });
  }, [doc, sizes, apply, rf, canvas]);

  const focusNode = useCallback(
    (id: string) => {
      editor.select([id]);
      void rf.fitView({ nodes: [{ id }], padding: 0.6, maxZoom: 1.2, duration: 300 });
    },
    [editor, rf],
  );

  return useMemo(
    () => ({
      addNode,
      copy,
      paste,
      deleteSelection,
      autoLayout,
      focusNode,
      hasClip: () => clipboard !== null,
    }),
    [addNode, copy, paste, deleteSelection, autoLayout, focusNode],
  );
}

export type Commands = ReturnType<typeof useCommands>;
