import { useEffect, useState } from "react";
import { type Audience, api } from "../../api.ts";
import { Select } from "./inputs.tsx";

/**
 * A condition branch's optional `audience`: a saved audience (GET /api/audiences) or none. An id
 * that is not (or no longer) saved stays selectable, so opening a journey never rewrites its
 * branch behind the marketer's back; publishing names it (`audience_unknown`).
 */
export function BranchAudienceSelect({
  value,
  onChange,
}: {
  value: string;
  /** "" = no audience (the form removes the optional field). */
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
    { value: "", label: audiences ? "— none: attributes only —" : "Loading audiences…" },
    ...(known ? [] : [{ value, label: `${value} (not saved)` }]),
    ...saved.map((a) => ({ value: a.id, label: a.name })),
  ];
  const hint = error
    ? `Could not load audiences: ${error}`
    : audiences && saved.length === 0
      ? "No saved audiences yet: build one on the Audiences page."
      : "Yes only for members at the moment they reach this step, and only if the conditions hold too.";
  return (
    <Select label="Audience" value={value} options={options} hint={hint} onChange={onChange} />
  );
}
