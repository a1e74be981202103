import type { CSSProperties } from "react";
import { useTranslation } from "react-i18next";
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
  const { t } = useTranslation();
  return (
    <aside className="palette" aria-label={t("editor.palette.region")}>
      <h3 className="panel-title">{t("editor.palette.title")}</h3>
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
                aria-label={t("editor.palette.add", { label: meta.label })}
                title={t("editor.palette.tip", { hint: meta.hint })}
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
          <kbd>⌫</kbd> {t("editor.palette.keyDelete")}
        </div>
        <div>
          <kbd>Ctrl</kbd>+<kbd>Z</kbd> {t("editor.palette.keyUndo")} · <kbd>⇧</kbd>{" "}
          {t("editor.palette.keyRedo")}
        </div>
        <div>
          <kbd>Ctrl</kbd>+<kbd>C</kbd>/<kbd>V</kbd> {t("editor.palette.keyCopy")}
        </div>
      </div>
    </aside>
  );
}
