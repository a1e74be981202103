import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

/**
 * Asked when an in-app link or the back button would leave the editor while the last change
 * is not saved (the save failed, or is still failing): staying keeps the edit and autosave
 * keeps trying; leaving drops it. Reloads and closing the tab get the browser's own prompt.
 */
export function LeaveDialog({
  reason,
  onAnswer,
}: {
  reason: string;
  onAnswer: (leave: boolean) => void;
}) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="leave-title"
      onCancel={(e) => {
        e.preventDefault();
        onAnswer(false);
      }}
    >
      <h2 id="leave-title">{t("editor.leave.title")}</h2>
      <p>{t("editor.leave.body", { reason })}</p>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={() => onAnswer(false)}>
          {t("editor.leave.stay")}
        </button>
        <button type="button" className="danger-outline" onClick={() => onAnswer(true)}>
          {t("editor.leave.leave")}
        </button>
      </div>
    </dialog>
  );
}
