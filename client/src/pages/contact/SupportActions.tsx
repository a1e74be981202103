import { type FormEvent, useState } from "react";
import { ApiError, api, CATEGORIES, type Contact, type SupportAct } from "../../api.ts";
import { useCan } from "../../permissions.ts";
import { shortTime } from "./timeline.ts";

/** Channels a person can be reached on (webhooks go to systems, not people). */
const CHANNELS = ["sms", "email", "push"] as const;

type Act = "opt_out" | "opt_in" | "grant" | "withdraw";
const ACTS: {
  value: Act;
  label: string;
  permission: "optOutContact" | "optInContact" | "editConsent";
}[] = [
  { value: "opt_out", label: "Opt out", permission: "optOutContact" },
  { value: "opt_in", label: "Opt back in", permission: "optInContact" },
  { value: "grant", label: "Grant consent", permission: "editConsent" },
  { value: "withdraw", label: "Withdraw consent", permission: "editConsent" },
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
  return (
    <table className="consent-grid" aria-label="Consent by channel and category">
      <thead>
        <tr>
          <th />
          {CATEGORIES.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {CHANNELS.map((ch) => (
          <tr key={ch}>
            <th scope="row">{ch}</th>
            {CATEGORIES.map((cat) => {
              const cell = consentCell(contact.consent, ch, cat);
              const title = cell?.source
                ? `${cell.source}${cell.at ? ` · ${new Date(cell.at).toLocaleString()}` : ""}`
                : undefined;
              return (
                <td
                  key={cat}
                  data-consent={`${ch}.${cat}`}
                  className={cell === null ? "muted" : cell.granted ? "consent-yes" : "consent-no"}
                  title={title}
                >
                  {cell === null ? "—" : cell.granted ? "✓ granted" : "✕ declined"}
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
      setState({ kind: "done", text: "Saved. Journeys apply it from their next step." });
      onChanged();
    } catch (err) {
      setState({ kind: "error", text: err instanceof ApiError ? err.message : String(err) });
    }
  }

  return (
    <section className="card profile-card support-card" aria-labelledby="support-h">
      <h3 id="support-h" className="panel-title">
        Consent by channel
      </h3>
      <ConsentGrid contact={contact} />
      {acts.length > 0 && (
        <form
          className="support-form"
          aria-label="Change opt-outs and consent"
          onSubmit={(e) => void submit(e)}
        >
          <label className="field">
            <span className="field-label">Action</span>
            <select aria-label="Action" value={act} onChange={(e) => setAct(e.target.value as Act)}>
              {acts.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Channel</span>
            <select
              aria-label="Channel"
              value={channel}
              onChange={(e) => setChannel(e.target.value)}
            >
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Category</span>
            <select aria-label="Category" value={cat} onChange={(e) => setCategory(e.target.value)}>
              {!consentAct && <option value="*">all categories</option>}
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className="field support-reason">
            <span className="field-label">Reason{reasonRequired ? "" : " (optional)"}</span>
            <input
              aria-label="Reason"
              value={reason}
              required={reasonRequired}
              minLength={reasonRequired ? 3 : undefined}
              maxLength={500}
              placeholder={reasonRequired ? "Why, for the audit log" : "e.g. asked on the phone"}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={state.kind === "busy"}>
            Apply
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

function actLabel(a: SupportAct): string {
  const scope = `${a.details.channel ?? "?"}${a.details.category && a.details.category !== "*" ? ` · ${a.details.category}` : " · all categories"}`;
  switch (a.action) {
    case "contact.opt_out":
      return `Opted out of ${scope}`;
    case "contact.opt_in":
      return `Opted back in to ${scope}`;
    case "contact.consent":
      return `${a.details.granted ? "Granted" : "Withdrew"} consent for ${scope}`;
    default:
      return a.action;
  }
}

/** The contact's support timeline: who changed what, when and why. */
export function SupportTimeline({ acts }: { acts: readonly SupportAct[] }) {
  return (
    <>
      <h3 className="section-title">Support actions</h3>
      <div className="card skipped-card">
        <ol className="timeline" aria-label="Support actions" data-testid="support-timeline">
          {acts.map((a) => (
            <li key={a.id} className="tl-row tl-warn" data-type={a.action}>
              <time className="tl-time mono" dateTime={new Date(a.at).toISOString()}>
                {shortTime(a.at)}
              </time>
              <span className="tl-type tone-warn">Support</span>
              <div className="tl-main">
                <div className="tl-detail">
                  {actLabel(a)}
                  {a.details.reason ? ` — “${a.details.reason}”` : ""}
                  <span className="tl-node">by {a.by}</span>
                </div>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </>
  );
}
