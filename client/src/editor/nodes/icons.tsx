import type { NodeType } from "../../../../engine/index.ts";
import { NODE_UI } from "./registry.ts";

/**
 * A node type's small line icon (its path is in its types/<type>.tsx), inline SVG: emoji glyphs
 * depend on the system's fonts (a bare Linux box draws empty boxes), these look the same everywhere.
 */
export function NodeIcon({ type }: { type: NodeType }) {
  const { path, filled = false } = NODE_UI[type].icon;
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        d={path}
        fill={filled ? "currentColor" : "none"}
        stroke="currentColor"
        strokeWidth={filled ? 0 : 1.6}
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
