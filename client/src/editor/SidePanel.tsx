import { useTranslation } from "react-i18next";
import type { Issue } from "../../../engine/index.ts";
import type { Commands } from "./commands.ts";
import { FormContext } from "./panel/FormContext.ts";
import { JourneyPanel } from "./panel/JourneyPanel.tsx";
import { NodePanel, SelectionPanel } from "./panel/NodePanel.tsx";
import type { EditorApi } from "./useEditor.ts";
import { defaultEvent, eventNames, sendNodeIds } from "./vocabulary.ts";

const EVENT_LIST_ID = "wm-event-names";
const NO_ISSUES: readonly Issue[] = [];

/** The inspector: the selected step's form, a multi-selection's actions, or journey settings. */
export function SidePanel({
  editor,
  commands,
  issues,
  readOnly = false,
}: {
  editor: EditorApi;
  commands: Commands;
  issues: ReadonlyMap<string, readonly Issue[]>;
  /** Every field and button disabled at once, by the fieldset: roles that cannot edit. */
  readOnly?: boolean;
}) {
  const { t } = useTranslation();
  const { doc, selectedNodes, apply } = editor;
  const events = eventNames(doc);
  const selected = doc.nodes.filter((n) => selectedNodes.has(n.id));
  const only = selected.length === 1 ? selected[0] : undefined;
  return (
    <FormContext.Provider
      value={{
        eventNames: events,
        sendNodeIds: sendNodeIds(doc),
        defaultEvent: defaultEvent(doc, only?.type === "trigger"),
        eventListId: EVENT_LIST_ID,
      }}
    >
      <aside className="side-panel" aria-label={t("editor.inspector")}>
        <datalist id={EVENT_LIST_ID}>
          {events.map((e) => (
            <option key={e} value={e} />
          ))}
        </datalist>
        <fieldset className="side-panel-fields" disabled={readOnly}>
          {only ? (
            <NodePanel
              key={only.id}
              node={only}
              doc={doc}
              issues={issues.get(only.id) ?? NO_ISSUES}
              apply={apply}
              onDelete={() => apply({ type: "remove", nodeIds: [only.id], edges: [] })}
            />
          ) : selected.length > 1 ? (
            <SelectionPanel
              count={selected.length}
              onCopy={commands.copy}
              onDelete={commands.deleteSelection}
            />
          ) : (
            <JourneyPanel doc={doc} apply={apply} />
          )}
        </fieldset>
      </aside>
    </FormContext.Provider>
  );
}
