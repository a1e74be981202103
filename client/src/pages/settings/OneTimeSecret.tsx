import { useState } from "react";

/** A key or password the server returns once: shown with a copy button until dismissed. */
export function OneTimeSecret({
  label,
  value,
  onDone,
}: {
  label: string;
  value: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret" role="status" data-testid="one-time-secret">
      <div className="small">
        <strong>{label}</strong> — copy it now, it will not be shown again.
      </div>
      <code>{value}</code>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard
            ?.writeText(value)
            .then(() => setCopied(true))
            .catch(() => setCopied(false))
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <button type="button" className="ghost" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
