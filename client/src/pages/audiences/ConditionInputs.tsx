/**
 * The builder's compact inputs: labelled for screen readers and tests, sized to sit several to
 * a row. Stateless; the condition tree owns every value.
 */
export function Text({
  label,
  value,
  onChange,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
}) {
  return (
    <input
      className="cond-input"
      aria-label={label}
      title={label}
      value={value}
      placeholder={placeholder ?? label}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function NumberInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: number;
  onChange: (v: number) => void;
}) {
  return (
    <input
      className="cond-input cond-number"
      type="number"
      aria-label={label}
      value={value}
      onChange={(e) => onChange(Number(e.target.value))}
    />
  );
}

export function Select<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (v: T) => void;
}) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as T)}>
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </select>
  );
}
