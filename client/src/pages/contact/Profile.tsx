import type { Contact, Suppression } from "../../api.ts";

/** Consent as stored: channel → category → a boolean or `{ granted }`. */
function consentRows(consent: Record<string, unknown>): { key: string; granted: boolean }[] {
  const rows: { key: string; granted: boolean }[] = [];
  for (const [channel, cats] of Object.entries(consent)) {
    if (typeof cats !== "object" || cats === null) continue;
    for (const [category, v] of Object.entries(cats as Record<string, unknown>)) {
      const granted =
        typeof v === "boolean"
          ? v
          : typeof v === "object" && v !== null && (v as { granted?: unknown }).granted === true;
      rows.push({ key: `${channel} · ${category}`, granted });
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
  const consent = consentRows(contact.consent);
  const attributes = Object.entries(contact.attributes);
  const optOuts = suppressions.filter((s) => s.revokedAt === null);
  return (
    <div className="profile-grid">
      <section className="card profile-card" aria-labelledby="profile-h">
        <h3 id="profile-h" className="panel-title">
          Profile
        </h3>
        <dl className="kv">
          <dt>Phone</dt>
          <dd className="mono" data-testid="contact-phone">
            {contact.phone ?? "—"}
            {contact.phoneCountry && <span className="muted"> · {contact.phoneCountry}</span>}
          </dd>
          <dt>Email</dt>
          <dd>{contact.email ?? "—"}</dd>
          <dt>Time zone</dt>
          <dd>{contact.timezone ?? <span className="muted">from the phone's country</span>}</dd>
          <dt>Locale</dt>
          <dd>{contact.locale ?? "—"}</dd>
          <dt>First seen</dt>
          <dd>{new Date(contact.createdAt).toLocaleString()}</dd>
        </dl>
        {attributes.length > 0 && (
          <>
            <h4 className="panel-title sub">Attributes</h4>
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
          Consent and opt-outs
        </h3>
        {consent.length === 0 ? (
          <p className="muted small">
            No consent recorded: promotional messages are not sent until it is.
          </p>
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
          <p className="muted small">Not opted out of anything.</p>
        ) : (
          <ul className="optouts">
            {optOuts.map((s) => (
              <li key={`${s.channel}:${s.category}:${s.createdAt}`}>
                <strong>
                  Opted out of {s.channel === "*" ? "every channel" : s.channel}
                  {s.category === "*" ? "" : ` · ${s.category}`}
                </strong>
                <span className="muted small">
                  {s.reason}
                  {s.source ? ` (${s.source})` : ""} · {new Date(s.createdAt).toLocaleString()}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
