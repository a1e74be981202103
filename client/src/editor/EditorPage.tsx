import "@xyflow/react/dist/style.css";
import "./editor.css";
import "./panel/panel.css";
import "../canvas/canvas.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Journey } from "../../../engine/index.ts";
import { ApiError, api, type JourneyDetail } from "../api.ts";
import { Link } from "../router/router.tsx";
import { Editor, type Resume } from "./Editor.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string | null; missing?: boolean }
  | { state: "ready"; detail: JourneyDetail; draft: Journey };

/** The editor page: loads the journey, then hands its draft to the editor. */
export default function EditorPage({ journeyId }: { journeyId: string }) {
  const { t } = useTranslation();
  const [load, setLoad] = useState<Load>({ state: "loading" });
  // A revert or discard replaces the draft on the server: the editor starts again from it
  // (fresh undo history, fresh autosave baseline), keeping the Versions panel open.
  const [generation, setGeneration] = useState(0);
  const [resume, setResume] = useState<Resume | null>(null);
  useEffect(() => {
    setLoad({ state: "loading" });
    api
      .journey(journeyId)
      .then((detail) =>
        detail.draft
          ? setLoad({ state: "ready", detail, draft: detail.draft })
          : setLoad({ state: "error", message: null }),
      )
      .catch((err: unknown) =>
        setLoad(
          err instanceof ApiError && err.status === 404
            ? { state: "error", message: null, missing: true }
            : { state: "error", message: String(err) },
        ),
      );
  }, [journeyId]);

  if (load.state === "loading")
    return <div className="editor-loading muted">{t("editor.page.loading")}</div>;
  if (load.state === "error") {
    return (
      <div className="empty card editor-missing">
        <h3>{t("editor.page.cannotOpen")}</h3>
        <p className="muted">
          {load.message ??
            (load.missing ? t("editor.page.missing", { id: journeyId }) : t("editor.page.noDraft"))}
        </p>
        <Link href="/">{t("editor.page.back")}</Link>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Editor
        key={`${journeyId}:${generation}`}
        detail={load.detail}
        initial={load.draft}
        resume={resume}
        onReplaced={(detail, notice) => {
          if (!detail.draft) return;
          setLoad({ state: "ready", detail, draft: detail.draft });
          setResume({ notice });
          setGeneration((g) => g + 1);
        }}
      />
    </ReactFlowProvider>
  );
}
