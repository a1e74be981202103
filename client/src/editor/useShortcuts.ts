import { useEffect } from "react";
import type { Commands } from "./commands.ts";
import type { EditorApi } from "./useEditor.ts";

/** Typing in a field keeps the browser's own undo and clipboard. */
function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z (or Ctrl+Y) redo, Ctrl/Cmd+C / V copy and paste of
 * selected steps. Delete/Backspace is React Flow's own (deleteKeyCode on the canvas).
 */
export function useShortcuts(editor: EditorApi, commands: Commands, enabled = true): void {
  useEffect(() => {
    // Off while a published version or a comparison is on screen: nothing there is editable.
    if (!enabled) return;
    function onKey(e: KeyboardEvent) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || isTextTarget(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "z" && !e.shiftKey) editor.undo();
      else if ((key === "z" && e.shiftKey) || key === "y") editor.redo();
      else if (key === "c") {
        // Leave a text selection on the page to the browser's copy.
        if (window.getSelection()?.toString()) return;
        if (!commands.copy()) return;
      } else if (key === "v") {
        if (!commands.hasClip()) return;
        commands.paste();
      } else return;
      e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [editor, commands, enabled]);
}
