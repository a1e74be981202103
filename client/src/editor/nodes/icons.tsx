import type { NodeType } from "../../../../engine/index.ts";

/**
 * One small line icon per node type, inline SVG: emoji glyphs depend on the system's fonts
 * (a bare Linux box draws empty boxes), these look the same everywhere.
 */
const PATHS: Record<NodeType, string> = {
  trigger: "M9 1 3 9h4l-1 6 6-8H8l1-6z",
  wait: "M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zm0 2v4l3 2",
  branch: "M4 2v4a4 4 0 0 0 4 4h4M4 6v8M12 10l-2-2m2 2-2 2",
  send: "M2 4h12v8H2zM2 4l6 5 6-5",
  cooldown: "M8 1v14M2 4.5l12 7M14 4.5l-12 7",
  split: "M2 8h4l4-4h4M6 8l4 4h4",
  exit: "M4 4h8v8H4z",
};

export function NodeIcon({ type }: { type: NodeType }) {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        d={PATHS[type]}
        fill={type === "trigger" ? "currentColor" : "none"}
        stroke="currentColor"
        strokeWidth={type === "trigger" ? 0 : 1.6}
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
