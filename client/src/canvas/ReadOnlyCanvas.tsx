import "@xyflow/react/dist/style.css";
import "../editor/editor.css";
import "./canvas.css";
import { Background, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Journey } from "../../../engine/index.ts";
import type { XY } from "../editor/defaults.ts";
import { layoutJourney } from "../editor/layout.ts";
import {
  type JourneyFlowEdge,
  type JourneyFlowNode,
  toFlowEdges,
  toFlowNodes,
} from "../editor/mapping.ts";
import { nodeTypes } from "../editor/nodes/nodeTypes.tsx";
import { type CanvasMarks, markEdges, markNodes } from "../editor/versions/compare.ts";
import { highlightEdges, highlightNodes, type PathHighlight } from "./path.ts";

const NONE = new Map();
const NO_SELECTION: ReadonlySet<string> = new Set();
const FIT = { padding: 0.15, maxZoom: 1 };

/**
 * A journey drawn with the editor's own node cards, but nothing can be moved, connected or
 * deleted: the inspector shows where one contact is, not a place to edit. Documents without
 * positions (imports) are laid out with the editor's elkjs layout first.
 */
export function ReadOnlyCanvas({
  doc,
  highlight,
  label,
  counts = null,
  marks = null,
}: {
  doc: Journey;
  highlight: PathHighlight | null;
  label: string;
  /** Users on each node now (a version's own counts); null draws none. */
  counts?: ReadonlyMap<string, number> | null;
  /** A diff painted on the nodes and edges (the Versions panel's compare). */
  marks?: CanvasMarks | null;
}) {
  const { t } = useTranslation();
  const needsLayout = doc.nodes.some((n) => !n.position);
  const [fallback, setFallback] = useState<ReadonlyMap<string, XY> | null>(
    needsLayout ? null : NONE,
  );
  useEffect(() => {
    if (!needsLayout) return;
    let live = true;
    void layoutJourney(doc).then((p) => {
      if (live) setFallback(p);
    });
    return () => {
      live = false;
    };
  }, [doc, needsLayout]);

  const nodes = useMemo(() => {
    if (!fallback) return [];
    const base = toFlowNodes(doc, {
      issues: NONE,
      selected: NO_SELECTION,
      measured: NONE,
      fallback,
      liveCounts: counts,
    });
    return highlightNodes(markNodes(base, marks), highlight);
  }, [doc, fallback, highlight, counts, marks]);
  const edges = useMemo(
    () => highlightEdges(markEdges(toFlowEdges(doc, NO_SELECTION), marks), highlight),
    [doc, highlight, marks],
  );

  if (!fallback)
    return <div className="ro-canvas ro-canvas-loading muted">{t("canvas.layingOut")}</div>;
  return (
    <div className="ro-canvas">
      <ReactFlowProvider>
        <ReactFlow<JourneyFlowNode, JourneyFlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          deleteKeyCode={null}
          defaultEdgeOptions={{ type: "smoothstep" }}
          fitView
          fitViewOptions={FIT}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
          aria-label={label}
        >
          <Background gap={16} size={1} color="#e6e7f0" />
          <Controls showInteractive={false} fitViewOptions={FIT} />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
