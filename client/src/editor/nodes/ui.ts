import type { NodeProps } from "@xyflow/react";
import type { ComponentType, ReactNode } from "react";
import type { Journey, JourneyNode, NodeType } from "../../../../engine/index.ts";
import type { JourneyFlowNode } from "../mapping.ts";
import type { Change } from "../panel/inputs.tsx";

export type XY = { x: number; y: number };

/**
 * Everything the console knows about one node type, in that type's file (types/<type>.tsx):
 * adding a node type on the client is one such file and one line in registry.ts. The engine
 * definition (engine/nodes/<type>.ts) stays the source of its schema, paths and behaviour; the
 * inspector form is derived from that schema, so only what the schema cannot say lives here.
 */
export type NodeUi<N extends JourneyNode> = {
  /**
   * Palette, card and inspector title, in the console's language: a getter reading the catalog
   * (`nodes.<type>.label`), so it follows the header's language switch wherever it is read.
   */
  readonly label: string;
  /** The palette's one-line explanation, the same way (`nodes.<type>.hint`). */
  readonly hint: string;
  /** `--node-color` on the card, palette item, inspector and minimap: one colour everywhere. */
  color: string;
  /** A 16×16 line icon as an SVG path (inline SVG looks the same on every system's fonts). */
  icon: { path: string; filled?: boolean };
  /** New ids are `<prefix><n>`: short, readable in exports and logs. */
  idPrefix: string;
  /**
   * A new node that passes the schema, so the draft stays saveable the moment it is dropped
   * (the server rejects schema-invalid drafts); `doc` supplies references it may need.
   */
  create(id: string, position: XY, doc: Journey): N;
  /** The one-line summary under the card's title, in the console's language. */
  summary(node: N): string;
  /** The canvas card: NodeShell plus this type's handles. Module-scope and memoized. */
  component: ComponentType<NodeProps<JourneyFlowNode>>;
  /** Replaces the schema-derived input at `path` (e.g. "send.template"); undefined keeps it. */
  field?: (node: N, path: string, value: unknown, onChange: Change<unknown>) => ReactNode;
  /** Shown under the inspector's form (a preview, a plain-words summary). */
  Inspector?: ComponentType<{ node: N; doc: Journey }>;
};

/** One entry per node type, each typed by its own node: what registry.ts `satisfies`. */
export type NodeUis = { [T in NodeType]: NodeUi<Extract<JourneyNode, { type: T }>> };
