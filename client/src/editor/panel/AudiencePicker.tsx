import { useEffect, useState } from "react";
import { type Audience, api } from "../../api.ts";
import { Select } from "./inputs.tsx";

/**
 * The audience trigger's `audience` field: a choice among saved audiences rather than an id
 * typed from memory. An id that is not (or no longer) saved stays selectable, so opening a
 * journey never rewrites its trigger behind the marketer's back.
 */
export function AudiencePicker({
  value,
  onChange,
}: {
  value: string;
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
    { value: "", label: audiences ? "— choose an audience —" : "Loading audiences…" },
    ...(known ? [] : [{ value, label: `${value} (not saved)` }]),
    ...saved.map((a) => ({ value: a.id, label: a.name })),
  ];
  const hint = error
    ? `Could not load audiences: ${error}`
    : audiences && saved.length === 0
      ? "No saved audiences yet: build one on the Audiences page."
      : "Its members enter when the journey goes live; newcomers at the next audience scan.";
  return (
    <Select label="Audience" value={value} options={options} hint={hint} onChange={onChange} />
  );
}
