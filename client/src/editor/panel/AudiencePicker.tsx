import { useEffect, useState } from "react";
import { type Audience, api } from "../../api.ts";
import { Select } from "./inputs.tsx";

/** What the empty choice means and what the hint says, per field that names an audience. */
const USES = {
  trigger: {
    none: "— choose an audience —",
    hint: "Its members enter when the journey goes live; newcomers at the next audience scan.",
  },
  branch: {
    none: "— none: attributes only —",
    hint: "Yes only for members at the moment they reach this step, and only if the conditions hold too.",
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
    { value: "", label: audiences ? USES[use].none : "Loading audiences…" },
    ...(known ? [] : [{ value, label: `${value} (not saved)` }]),
    ...saved.map((a) => ({ value: a.id, label: a.name })),
  ];
  const hint = error
    ? `Could not load audiences: ${error}`
    : audiences && saved.length === 0
      ? "No saved audiences yet: build one on the Audiences page."
      : USES[use].hint;
  return (
    <Select label="Audience" value={value} options={options} hint={hint} onChange={onChange} />
  );
}
