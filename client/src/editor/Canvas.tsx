import {
  Background,
  type Connection,
  Controls,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  ReactFlow,
  useReactFlow,
} from "@xyflow/react";
import { type DragEvent, type RefObject, useCallback, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { type Issue, NODE_TYPES, type NodeType } from "../../../engine/index.ts";
import { highlightEdges, highlightNodes, type PathHighlight } from "../canvas/path.ts";
import type { Commands } from "./commands.ts";
import type { XY } from "./defaults.ts";
import { DEFAULT_SIZE } from "./layout.ts";
import {
  applyDimensions,
  edgeFromConnection,
  type JourneyFlowEdge,
  type JourneyFlowNode,
  movesFrom,
  type Size,
  toFlowEdges,
  toFlowNodes,
} from "./mapping.ts";
import { pathLabel } from "./nodes/NodeShell.tsx";
import { nodeTypes } from "./nodes/nodeTypes.tsx";
import { NODE_UI } from "./nodes/registry.ts";
import type { EditorApi } from "./useEditor.ts";

/** The drag-and-drop payload type the palette sets and the canvas accepts. */
export const DND_NODE_TYPE = "application/x-waymark-node-type";

export function isNodeType(value: string): value is NodeType {
  return (NODE_TYPES as readonly string[]).includes(value);
}

function minimapColor(node: { type?: string | undefined }): string {
  const type = node.type ?? "";
  return isNodeType(type) ? NODE_UI[type].color : "#94a3b8";
}

const DELETE_KEYS = ["Backspace", "Delete"];
const FIT = { padding: 0.2, maxZoom: 1.1 };

export function Canvas({
  editor,
  commands,
  issues,
  fallback,
  liveCounts,
  highlight = null,
  measured,
  setMeasured,
  wrapper,
  readOnly = false,
}: {
  editor: EditorApi;
  commands: Commands;
  issues: ReadonlyMap<string, readonly Issue[]>;
  fallback: ReadonlyMap<string, XY>;
  liveCounts: ReadonlyMap<string, number> | null;
  /** A simulated path to paint (visited nodes and edges); null draws the journey as is. */
  highlight?: PathHighlight | null;
  measured: ReadonlyMap<string, Size>;
  setMeasured: (update: (prev: ReadonlyMap<string, Size>) => ReadonlyMap<string, Size>) => void;
  wrapper: RefObject<HTMLDivElement | null>;
  /** For roles that cannot edit: select, pan and zoom; no moving, connecting, dropping or deleting. */
  readOnly?: boolean;
}) {
  const { t } = useTranslation();
  const rf = useReactFlow<JourneyFlowNode, JourneyFlowEdge>();
  const { doc, selectedNodes, selectedEdges, apply } = editor;
  const previous = useRef<JourneyFlowNode[]>([]);
  const nodes = useMemo(() => {
    const next = toFlowNodes(
      doc,
      { issues, selected: selectedNodes, measured, fallback, liveCounts },
      previous.current,
    );
    previous.current = next;
    return next;
  }, [doc, issues, selectedNodes, measured, fallback, liveCounts]);
  const edges = useMemo(() => toFlowEdges(doc, selectedEdges), [doc, selectedEdges]);
  const shownNodes = useMemo(() => highlightNodes(nodes, highlight), [nodes, highlight]);
  // A branch's yes/no edges say so in the console's language; split arms keep their names.
  const shownEdges = useMemo(
    () =>
      highlightEdges(edges, highlight).map((e) =>
        typeof e.label === "string" ? { ...e, label: pathLabel(t, e.label) } : e,
      ),
    [edges, highlight, t],
  );
  const ariaLabels = useMemo(
    () => ({
      "node.a11yDescription.default": t("editor.canvas.nodeHelp"),
      "node.a11yDescription.keyboardDisabled": t("editor.canvas.nodeHelpKeyboard"),
      "edge.a11yDescription.default": t("editor.canvas.edgeHelp"),
      "controls.ariaLabel": t("editor.canvas.controls"),
      "controls.zoomIn.ariaLabel": t("editor.canvas.zoomIn"),
      "controls.zoomOut.ariaLabel": t("editor.canvas.zoomOut"),
      "controls.fitView.ariaLabel": t("editor.canvas.fitView"),
      "controls.interactive.ariaLabel": t("editor.canvas.interactive"),
      "minimap.ariaLabel": t("editor.canvas.minimap"),
      "handle.ariaLabel": t("editor.canvas.handle"),
    }),
    [t],
  );

  // A drag is one undo step: its moves share a merge key from drag start to drag stop.
  const drag = useRef<{ key: string | null; seq: number }>({ key: null, seq: 0 });

  const onNodesChange = useCallback(
    (changes: NodeChange<JourneyFlowNode>[]) => {
      editor.nodeChanges(changes);
      if (changes.some((c) => c.type === "dimensions"))
        setMeasured((prev) => applyDimensions(prev, changes));
      const { positions } = movesFrom(changes);
      if (Object.keys(positions).length > 0)
        apply({ type: "move", positions }, { mergeKey: drag.current.key });
      // "remove" is handled once, by onDelete, as a single change with its edges.
    },
    [editor, apply, setMeasured],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<JourneyFlowEdge>[]) => editor.edgeChanges(changes),
    [editor],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const edge = edgeFromConnection(c);
      if (edge) apply({ type: "connect", edge });
    },
    [apply],
  );

  const onDelete = useCallback(
    ({ nodes, edges }: { nodes: JourneyFlowNode[]; edges: JourneyFlowEdge[] }) => {
      const removed = edges.flatMap((e) => (e.data ? [e.data.edge] : []));
      apply({ type: "remove", nodeIds: nodes.map((n) => n.id), edges: removed });
    },
    [apply],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(DND_NODE_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DND_NODE_TYPE);
      if (!isNodeType(type)) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      commands.addNode(type, { x: p.x - DEFAULT_SIZE.width / 2, y: p.y - DEFAULT_SIZE.height / 2 });
    },
    [rf, commands],
  );

  return (
    <div className="canvas" ref={wrapper}>
      <ReactFlow<JourneyFlowNode, JourneyFlowEdge>
        nodes={shownNodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onDragOver={readOnly ? undefined : onDragOver}
        onDrop={readOnly ? undefined : onDrop}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        onNodeDragStart={() => {
          drag.current.seq += 1;
          drag.current.key = `drag:${drag.current.seq}`;
        }}
        onNodeDragStop={() => {
          drag.current.key = null;
        }}
        isValidConnection={(c) => c.source !== c.target}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        defaultEdgeOptions={{ type: "smoothstep" }}
        fitView
        fitViewOptions={FIT}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
        aria-label={t("editor.canvas.label")}
        ariaLabelConfig={ariaLabels}
      >
        <Background gap={16} size={1} color="#dcdde8" />
        <Controls showInteractive={false} fitViewOptions={FIT} />
        <MiniMap
          pannable
          zoomable
          nodeColor={minimapColor}
          nodeStrokeWidth={0}
          ariaLabel={t("editor.canvas.minimap")}
        />
      </ReactFlow>
    </div>
  );
}
