import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Audience, api } from "../../api.ts";
import { msgKey } from "../../i18n/index.ts";
import { Select } from "./inputs.tsx";

/** What the empty choice means and what the hint says, per field that names an audience. */
const USES = {
  trigger: {
    none: msgKey("panel.audience.triggerNone"),
    hint: msgKey("panel.audience.triggerHint"),
  },
  branch: {
    none: msgKey("panel.audience.branchNone"),
    hint: msgKey("panel.audience.branchHint"),
  },
} as const;

/**
 * An audience trigger's or a condition branch's `audience`: a choice among saved audiences
 * rather than an id typed from memory. An id that is not (or no longer) saved stays selectable,
 * so opening a journey never rewrites it behind the marketer's back; publishing names it
 * (`audience_unknown`).
 */
export function AudiencePicker({
  use,
  value,
  onChange,
}: {
  use: keyof typeof USES;
  value: string;
  /** "" = none (for a branch, the form removes the optional field). */
  onChange: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [audiences, setAudiences] = useState<Audience[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api
      .audiences()
      .then((r) => current && setAudiences(r.audiences))
      .catch(
        (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)),
      );
    return () => {
      current = false;
    };
  }, []);
  const saved = audiences ?? [];
  const known = value === "" || saved.some((a) => a.id === value);
  const options = [
    { value: "", label: audiences ? t(USES[use].none) : t("panel.audience.loading") },
    ...(known ? [] : [{ value, label: t("panel.audience.notSaved", { id: value }) }]),
    ...saved.map((a) => ({ value: a.id, label: a.name })),
  ];
  const hint = error
    ? t("panel.audience.failed", { message: error })
    : audiences && saved.length === 0
      ? t("panel.audience.none")
      : t(USES[use].hint);
  return (
    <Select
      label={t("panel.field.audience")}
      value={value}
      options={options}
      hint={hint}
      onChange={onChange}
    />
  );
}
