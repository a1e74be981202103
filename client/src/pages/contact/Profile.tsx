import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { Contact, Suppression } from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import { CATEGORY_LABELS, CHANNEL_LABELS, labelOf } from "../../i18n/labels.ts";

/** A channel or category code in words; an unknown one (an older row) as it is. */
export function codeLabel(t: TFunction, table: Readonly<Record<string, string>>, code: string) {
  const key = labelOf(table, code);
  return key ? t(key) : code;
}

/** Consent as stored: channel → category → a boolean or `{ granted }`. */
function consentRows(
  consent: Record<string, unknown>,
  t: TFunction,
): { key: string; granted: boolean }[] {
  const rows: { key: string; granted: boolean }[] = [];
  for (const [channel, cats] of Object.entries(consent)) {
    if (typeof cats !== "object" || cats === null) continue;
    for (const [category, v] of Object.entries(cats as Record<string, unknown>)) {
      const granted =
        typeof v === "boolean"
          ? v
          : typeof v === "object" && v !== null && (v as { granted?: unknown }).granted === true;
      rows.push({
        key: `${codeLabel(t, CHANNEL_LABELS, channel)} · ${codeLabel(t, CATEGORY_LABELS, category)}`,
        granted,
      });
    }
  }
  return rows;
}

function display(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function Profile({
  contact,
  suppressions,
}: {
  contact: Contact;
  suppressions: readonly Suppression[];
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const consent = consentRows(contact.consent, t);
  const attributes = Object.entries(contact.attributes);
  const optOuts = suppressions.filter((s) => s.revokedAt === null);
  return (
    <div className="profile-grid">
      <section className="card profile-card" aria-labelledby="profile-h">
        <h3 id="profile-h" className="panel-title">
          {t("profile.title")}
        </h3>
        <dl className="kv">
          <dt>{t("profile.phone")}</dt>
          <dd className="mono" data-testid="contact-phone">
            {contact.phone ?? "—"}
            {contact.phoneCountry && <span className="muted"> · {contact.phoneCountry}</span>}
          </dd>
          <dt>{t("profile.email")}</dt>
          <dd>{contact.email ?? "—"}</dd>
          <dt>{t("profile.timezone")}</dt>
          <dd>
            {contact.timezone ?? <span className="muted">{t("profile.timezoneFromPhone")}</span>}
          </dd>
          <dt>{t("profile.locale")}</dt>
          <dd>{contact.locale ?? "—"}</dd>
          <dt>{t("profile.firstSeen")}</dt>
          <dd title={format.dateTime(contact.createdAt)}>{format.relative(contact.createdAt)}</dd>
        </dl>
        {attributes.length > 0 && (
          <>
            <h4 className="panel-title sub">{t("profile.attributes")}</h4>
            <dl className="kv">
              {attributes.map(([k, v]) => (
                <div key={k} className="kv-row">
                  <dt className="mono">{k}</dt>
                  <dd>{display(v)}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </section>
      <section className="card profile-card" aria-labelledby="consent-h">
        <h3 id="consent-h" className="panel-title">
          {t("profile.consentTitle")}
        </h3>
        {consent.length === 0 ? (
          <p className="muted small">{t("profile.noConsent")}</p>
        ) : (
          <ul className="chips">
            {consent.map((c) => (
              <li key={c.key} className={`chip ${c.granted ? "chip-yes" : "chip-no"}`}>
                {c.granted ? "✓" : "✕"} {c.key}
              </li>
            ))}
          </ul>
        )}
        {optOuts.length === 0 ? (
          <p className="muted small">{t("profile.noOptOuts")}</p>
        ) : (
          <ul className="optouts">
            {optOuts.map((s) => (
              <li key={`${s.channel}:${s.category}:${s.createdAt}`}>
                <strong>
                  {t("profile.optedOutOf", {
                    scope:
                      (s.channel === "*"
                        ? t("profile.everyChannel")
                        : codeLabel(t, CHANNEL_LABELS, s.channel)) +
                      (s.category === "*" ? "" : ` · ${codeLabel(t, CATEGORY_LABELS, s.category)}`),
                  })}
                </strong>
                <span className="muted small">
                  {s.reason}
                  {s.source ? ` (${s.source})` : ""} · {format.dateTime(s.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
