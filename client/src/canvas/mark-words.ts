import type { TFunction } from "i18next";
import type { CSSProperties } from "react";

/**
 * The words the canvas paints with CSS (`::after` badges on nodes: "changed" on a compared
 * step, "here" where a contact is), as custom properties the stylesheets read with
 * `content: var(--wm-word-…)`. Set once on the console's shell, so every canvas (the
 * inspector's, a version's, the simulator's) says them in the console's language; the
 * stylesheets keep the English as the fallback.
 */
export function canvasWords(t: TFunction): CSSProperties {
  const word = (text: string) => JSON.stringify(text);
  return {
    "--wm-word-added": word(t("canvas.mark.added")),
    "--wm-word-changed": word(t("canvas.mark.changed")),
    "--wm-word-removed": word(t("canvas.mark.removed")),
    "--wm-word-here": word(t("canvas.mark.here")),
  } as CSSProperties;
}
