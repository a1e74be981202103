import { useState } from "react";
import { useTranslation } from "react-i18next";

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
  const { t } = useTranslation();
  return (
    <div className="secret" role="status" data-testid="one-time-secret">
      <div className="small">
        <strong>{label}</strong>
        {t("settings.secret.copyNow")}
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
        {copied ? t("settings.secret.copied") : t("settings.secret.copy")}
      </button>
      <button type="button" className="ghost" onClick={onDone}>
        {t("settings.secret.done")}
      </button>
    </div>
  );
}
