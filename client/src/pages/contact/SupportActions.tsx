import type { TFunction } from "i18next";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, CATEGORIES, type Contact, type SupportAct } from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { CATEGORY_LABELS, CHANNEL_LABELS } from "../../i18n/labels.ts";
import { useCan } from "../../permissions.ts";
import { codeLabel } from "./Profile.tsx";

/** Channels a person can be reached on (webhooks go to systems, not people). */
const CHANNELS = ["sms", "email", "push"] as const;

type Act = "opt_out" | "opt_in" | "grant" | "withdraw";
const ACTS: {
  value: Act;
  label: string;
  permission: "optOutContact" | "optInContact" | "editConsent";
}[] = [
  { value: "opt_out", label: msgKey("support.act.opt_out"), permission: "optOutContact" },
  { value: "opt_in", label: msgKey("support.act.opt_in"), permission: "optInContact" },
  { value: "grant", label: msgKey("support.act.grant"), permission: "editConsent" },
  { value: "withdraw", label: msgKey("support.act.withdraw"), permission: "editConsent" },
];

type ConsentCell = { granted: boolean; source?: string; at?: string } | null;

function consentCell(
  consent: Record<string, unknown>,
  channel: string,
  category: string,
): ConsentCell {
  const cats = consent[channel];
  if (typeof cats !== "object" || cats === null) return null;
  const v = (cats as Record<string, unknown>)[category];
  if (typeof v === "boolean") return { granted: v };
  if (typeof v !== "object" || v === null) return null;
  const r = v as { granted?: unknown; source?: unknown; at?: unknown };
  return {
    granted: r.granted === true,
    ...(typeof r.source === "string" ? { source: r.source } : {}),
    ...(typeof r.at === "string" ? { at: r.at } : {}),
  };
}

/** Consent per channel and category, as the suppression rules read it. */
function ConsentGrid({ contact }: { contact: Contact }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <table className="consent-grid" aria-label={t("support.gridLabel")}>
      <thead>
        <tr>
          <th />
          {CATEGORIES.map((c) => (
            <th key={c} scope="col">
              {t(CATEGORY_LABELS[c])}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {CHANNELS.map((ch) => (
          <tr key={ch}>
            <th scope="row">{t(CHANNEL_LABELS[ch])}</th>
            {CATEGORIES.map((cat) => {
              const cell = consentCell(contact.consent, ch, cat);
              const title = cell?.source
                ? `${cell.source}${cell.at ? ` · ${format.dateTime(cell.at)}` : ""}`
                : undefined;
              return (
                <td
                  key={cat}
                  data-consent={`${ch}.${cat}`}
                  className={cell === null ? "muted" : cell.granted ? "consent-yes" : "consent-no"}
                  title={title}
                >
                  {cell === null
                    ? "—"
                    : cell.granted
                      ? `✓ ${t("support.granted")}`
                      : `✕ ${t("support.declined")}`}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * What support may change when a customer calls: opt-outs and consent, each with a reason that
 * the audit log and the contact's timeline keep. Hidden from roles the server would refuse.
 */
export function SupportActions({
  contact,
  onChanged,
}: {
  contact: Contact;
  onChanged: () => void;
}) {
  const can = useCan();
  const { t } = useTranslation();
  const acts = ACTS.filter((a) => can(a.permission));
  const [act, setAct] = useState<Act>(acts[0]?.value ?? "opt_out");
  const [channel, setChannel] = useState<string>("sms");
  const [category, setCategory] = useState<string>("*");
  const [reason, setReason] = useState("");
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "busy" }
    | { kind: "done"; text: string }
    | { kind: "error"; text: string }
  >({ kind: "idle" });
  const consentAct = act === "grant" || act === "withdraw";
  const reasonRequired = act !== "opt_out";
  const cat = consentAct && category === "*" ? "promotional" : category;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setState({ kind: "busy" });
    const why = reason.trim();
    try {
      switch (act) {
        case "opt_out":
          await api.optOut(contact.id, { channel, category: cat, ...(why ? { reason: why } : {}) });
          break;
        case "opt_in":
          await api.optIn(contact.id, { channel, category: cat, reason: why });
          break;
        case "grant":
        case "withdraw":
          await api.setConsent(contact.id, {
            channel,
            category: cat,
            granted: act === "grant",
            reason: why,
          });
          break;
      }
      setReason("");
      setState({ kind: "done", text: t("support.saved") });
      onChanged();
    } catch (err) {
      setState({ kind: "error", text: err instanceof ApiError ? err.message : String(err) });
    }
  }

  return (
    <section className="card profile-card support-card" aria-labelledby="support-h">
      <h3 id="support-h" className="panel-title">
        {t("support.title")}
      </h3>
      <ConsentGrid contact={contact} />
      {acts.length > 0 && (
        <form
          className="support-form"
          aria-label={t("support.formLabel")}
          onSubmit={(e) => void submit(e)}
        >
          <label className="field">
            <span className="field-label">{t("support.action")}</span>
            <select
              aria-label={t("support.action")}
              value={act}
              onChange={(e) => setAct(e.target.value as Act)}
            >
              {acts.map((a) => (
                <option key={a.value} value={a.value}>
                  {t(a.label)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t("support.channel")}</span>
            <select
              aria-label={t("support.channel")}
              value={channel}
              onChange={(e) => setChannel(e.target.value)}
            >
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(CHANNEL_LABELS[c])}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t("support.category")}</span>
            <select
              aria-label={t("support.category")}
              value={cat}
              onChange={(e) => setCategory(e.target.value)}
            >
              {!consentAct && <option value="*">{t("support.allCategories")}</option>}
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(CATEGORY_LABELS[c])}
                </option>
              ))}
            </select>
          </label>
          <label className="field support-reason">
            <span className="field-label">
              {reasonRequired ? t("support.reason") : t("support.reasonOptional")}
            </span>
            <input
              aria-label={t("support.reason")}
              value={reason}
              required={reasonRequired}
              minLength={reasonRequired ? 3 : undefined}
              maxLength={500}
              placeholder={
                reasonRequired ? t("support.reasonPlaceholder") : t("support.reasonExample")
              }
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={state.kind === "busy"}>
            {t("support.apply")}
          </button>
        </form>
      )}
      {state.kind === "done" && (
        <p className="small support-done" role="status">
          {state.text}
        </p>
      )}
      {state.kind === "error" && (
        <p className="error small" role="alert">
          {state.text}
        </p>
      )}
    </section>
  );
}

function actLabel(a: SupportAct, t: TFunction): string {
  const channel = typeof a.details.channel === "string" ? a.details.channel : "?";
  const category = typeof a.details.category === "string" ? a.details.category : "*";
  const scope = `${codeLabel(t, CHANNEL_LABELS, channel)} · ${
    category === "*" ? t("support.allCategories") : codeLabel(t, CATEGORY_LABELS, category)
  }`;
  switch (a.action) {
    case "contact.opt_out":
      return t("support.did.optOut", { scope });
    case "contact.opt_in":
      return t("support.did.optIn", { scope });
    case "contact.consent":
      return a.details.granted
        ? t("support.did.granted", { scope })
        : t("support.did.withdrew", { scope });
    default:
      return a.action;
  }
}

/** The contact's support timeline: who changed what, when and why. */
export function SupportTimeline({ acts }: { acts: readonly SupportAct[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <>
      <h3 className="section-title">{t("support.actsTitle")}</h3>
      <div className="card skipped-card">
        <ol className="timeline" aria-label={t("support.actsTitle")} data-testid="support-timeline">
          {acts.map((a) => (
            <li key={a.id} className="tl-row tl-warn" data-type={a.action}>
              <time className="tl-time mono" dateTime={new Date(a.at).toISOString()}>
                {format.shortTime(a.at)}
              </time>
              <span className="tl-type tone-warn">{t("support.badge")}</span>
              <div className="tl-main">
                <div className="tl-detail">
                  {actLabel(a, t)}
                  {a.details.reason ? ` — “${a.details.reason}”` : ""}
                  <span className="tl-node">{t("support.by", { who: a.by })}</span>
                </div>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </>
  );
}
