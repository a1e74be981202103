import { useTranslation } from "react-i18next";
import { SettingsSchema } from "../../../../engine/format/journey.ts";
import type { Journey, Settings } from "../../../../engine/index.ts";
import type { DocChange } from "../changes.ts";
import { objectFields } from "../schema/introspect.ts";
import { TextInput } from "./inputs.tsx";
import { ObjectFields } from "./SchemaFields.tsx";

/** Journey-wide settings (re-entry, exit events, goal, quiet hours, test list), from SettingsSchema. */
const SETTINGS_FIELDS = objectFields(SettingsSchema);

export function JourneyPanel({
  doc,
  apply,
}: {
  doc: Journey;
  apply: (change: DocChange, options?: { mergeKey?: string | null }) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="node-panel">
      <header className="node-panel-head">
        <div>
          <h3>{t("panel.journey.title")}</h3>
          <span className="mono muted">{doc.id}</span>
        </div>
      </header>
      <form
        className="form"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t("panel.journey.title")}
      >
        <TextInput
          label={t("panel.journey.name")}
          value={doc.name}
          mergeKey="journey:name"
          onChange={(name, mergeKey) => apply({ type: "update-journey", name }, { mergeKey })}
        />
        <TextInput
          label={t("panel.journey.description")}
          value={doc.description ?? ""}
          multiline
          mergeKey="journey:description"
          onChange={(description, mergeKey) =>
            apply({ type: "update-journey", description }, { mergeKey })
          }
        />
        <ObjectFields
          fields={SETTINGS_FIELDS}
          value={(doc.settings ?? {}) as Record<string, unknown>}
          path="settings"
          // Shaped by SettingsSchema's own fields; validation reports values still being typed.
          onChange={(next, mergeKey) =>
            apply({ type: "update-journey", settings: next as Settings }, { mergeKey })
          }
        />
      </form>
      <p className="muted small">{t("panel.journey.selectHint")}</p>
    </div>
  );
}
