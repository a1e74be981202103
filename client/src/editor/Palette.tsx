import type { CSSProperties } from "react";
import { NODE_TYPES } from "../../../engine/index.ts";
import { DND_NODE_TYPE } from "./Canvas.tsx";
import type { Commands } from "./commands.ts";
import { NodeIcon } from "./nodes/icons.tsx";
import { NODE_UI } from "./nodes/registry.ts";

/**
 * Node types to drag onto the canvas, or click to add after the selected node (keyboard
 * users: Tab to a type, Enter). Listed in the engine's registry order.
 */
export function Palette({ commands }: { commands: Commands }) {
  return (
    <aside className="palette" aria-label="Add a step">
      <h3 className="panel-title">Steps</h3>
      <ul>
        {NODE_TYPES.map((type) => {
          const meta = NODE_UI[type];
          return (
            <li key={type}>
              <button
                type="button"
                className={`palette-item palette-${type}`}
                style={{ "--node-color": meta.color } as CSSProperties}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(DND_NODE_TYPE, type);
                  e.dataTransfer.effectAllowed = "copy";
                }}
                onClick={() => commands.addNode(type)}
                aria-label={`Add ${meta.label}`}
                title={`${meta.hint}. Drag onto the canvas, or click to add after the selected step.`}
              >
                <span className="palette-icon" aria-hidden>
                  <NodeIcon type={type} />
                </span>
                <span className="palette-text">
                  <span className="palette-label">{meta.label}</span>
                  <span className="palette-hint">{meta.hint}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <div className="palette-keys muted">
        <div>
          <kbd>⌫</kbd> delete
        </div>
        <div>
          <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo · <kbd>⇧</kbd> redo
        </div>
        <div>
          <kbd>Ctrl</kbd>+<kbd>C</kbd>/<kbd>V</kbd> copy, paste
        </div>
      </div>
    </aside>
  );
}
