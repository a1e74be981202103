import { useEffect, useState } from "react";
import { type Change, TextInput } from "./inputs.tsx";

const lines = (t: string) =>
  t
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * One string per line (a test list). The text is kept locally so a new, still-empty line can
 * be typed; the document gets the non-empty, trimmed lines.
 */
export function LinesInput({
  label,
  hint,
  value,
  onChange,
  mergeKey,
}: {
  label: string;
  hint: string | undefined;
  value: readonly string[];
  onChange: Change<unknown>;
  mergeKey: string;
}) {
  const [text, setText] = useState(value.join("\n"));
  useEffect(() => {
    // An outside change (undo) replaces the text; our own edits already match it.
    setText((t) => (lines(t).join("\n") === value.join("\n") ? t : value.join("\n")));
  }, [value]);
  return (
    <TextInput
      label={label}
      multiline
      value={text}
      hint={hint}
      mergeKey={mergeKey}
      onChange={(t, key) => {
        setText(t);
        onChange(lines(t), key);
      }}
    />
  );
}
