import { type FormEvent, useMemo, useState } from "react";
import { ApiError, api, CATEGORIES, type Policy } from "../../api.ts";
import { CapsTable } from "./CapsTable.tsx";
import { OptOutLines } from "./OptOutLines.tsx";
import {
  type LineRow,
  lineRows,
  linesFromRows,
  localProblems,
  problemMap,
  toggle,
} from "./policy-form.ts";

const ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "America/Los_Angeles", "Europe/London"];

type Save =
  | { state: "idle" }
  | { state: "saving" }
  | { state: "saved" }
  | { state: "error"; message: string; problems: Map<string, string> };

/** The sending rules every journey obeys. Editable by admins; everyone else reads them. */
export function PolicyForm({ initial, editable }: { initial: Policy; editable: boolean }) {
  // What the server holds: Reset returns to it, and it moves forward on each save.
  const [baseline, setBaseline] = useState<Policy>(initial);
  const [policy, setPolicy] = useState<Policy>(initial);
  const [rows, setRows] = useState<LineRow[]>(() => lineRows(initial.optOutLines));
  const [save, setSave] = useState<Save>({ state: "idle" });
  const local = useMemo(() => localProblems(policy, rows), [policy, rows]);
  const problems = save.state === "error" && local.size === 0 ? save.problems : local;
  const disabled = !editable || save.state === "saving";
  const edit = (patch: Partial<Policy>) => {
    setPolicy((p) => ({ ...p, ...patch }));
    if (save.state === "saved") setSave({ state: "idle" });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (local.size > 0) return;
    setSave({ state: "saving" });
    try {
      const r = await api.saveSettings({ ...policy, optOutLines: linesFromRows(rows) });
      setBaseline(r.policy);
      setPolicy(r.policy);
      setRows(lineRows(r.policy.optOutLines));
      setSave({ state: "saved" });
    } catch (err) {
      const problems =
        err instanceof ApiError ? problemMap(err.problems) : new Map<string, string>();
      setSave({
        state: "error",
        message: err instanceof Error ? err.message : String(err),
        problems,
      });
    }
  }

  const qh = policy.quietHours;
  const streak = policy.unopenedStreak;
  return (
    <form className="settings" onSubmit={submit} aria-label="Sending policy">
      {!editable && (
        <p className="readonly-note">Only admins change the sending policy; you can read it.</p>
      )}
      <section className="card settings-card" aria-labelledby="s-hours">
        <h3 id="s-hours">Quiet hours</h3>
        <p className="muted">
          Sends due outside the window wait for it to open, in the recipient's local time. They are
          never dropped.
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={qh !== null}
            disabled={disabled}
            onChange={(e) =>
              edit({ quietHours: e.target.checked ? { start: "08:00", end: "21:00" } : null })
            }
          />
          Only send inside a daily window
        </label>
        {qh && (
          <div className="form-row">
            <label>
              Window opens
              <input
                type="time"
                value={qh.start}
                disabled={disabled}
                onChange={(e) => edit({ quietHours: { ...qh, start: e.target.value } })}
              />
            </label>
            <label>
              Window closes
              <input
                type="time"
                value={qh.end}
                disabled={disabled}
                onChange={(e) => edit({ quietHours: { ...qh, end: e.target.value } })}
              />
            </label>
            <fieldset className="inline-checks" disabled={disabled}>
              <legend className="small muted">Applies to</legend>
              {CATEGORIES.map((c) => (
                <label key={c} className="check">
                  <input
                    type="checkbox"
                    checked={policy.quietHoursFor.includes(c)}
                    onChange={(e) =>
                      edit({ quietHoursFor: toggle(policy.quietHoursFor, c, e.target.checked) })
                    }
                  />
                  {c}
                </label>
              ))}
            </fieldset>
          </div>
        )}
        {problems.get("quietHours") && (
          <span className="field-error">{problems.get("quietHours")}</span>
        )}
        <label>
          Workspace time zone
          <span className="field-hint muted">
            For contacts with no zone in their profile and no phone country.
          </span>
          <input
            list="zones"
            value={policy.workspaceTimezone}
            disabled={disabled}
            onChange={(e) => edit({ workspaceTimezone: e.target.value })}
          />
          {problems.get("workspaceTimezone") && (
            <span className="field-error">{problems.get("workspaceTimezone")}</span>
          )}
        </label>
        <datalist id="zones">
          {ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </section>

      <section className="card settings-card" aria-labelledby="s-caps">
        <h3 id="s-caps">Frequency caps</h3>
        <p className="muted">
          Per contact, across every journey. A window is an ISO duration (P30D = 30 days) or
          calendar_day in the contact's zone.
        </p>
        <CapsTable
          caps={policy.caps}
          onChange={(caps) => edit({ caps })}
          problems={problems}
          disabled={disabled}
        />
      </section>

      <section className="card settings-card" aria-labelledby="s-streak">
        <h3 id="s-streak">Unopened streak</h3>
        <p className="muted">
          After N promotional SMS in a row with no click, pause promotions for that contact.
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={streak !== null}
            disabled={disabled}
            onChange={(e) =>
              edit({ unopenedStreak: e.target.checked ? { count: 3, cooldown: "P30D" } : null })
            }
          />
          Cool down after consecutive unopened messages
        </label>
        {streak && (
          <div className="form-row">
            <label>
              Unopened in a row
              <input
                type="number"
                min={1}
                value={Number.isFinite(streak.count) ? streak.count : ""}
                disabled={disabled}
                onChange={(e) =>
                  edit({ unopenedStreak: { ...streak, count: e.target.valueAsNumber } })
                }
              />
            </label>
            <label>
              Cooldown
              <input
                className="mono-input"
                value={streak.cooldown}
                disabled={disabled}
                onChange={(e) =>
                  edit({ unopenedStreak: { ...streak, cooldown: e.target.value.trim() } })
                }
              />
              {(problems.get("unopenedStreak.cooldown") ??
                problems.get("unopenedStreak.count")) && (
                <span className="field-error">
                  {problems.get("unopenedStreak.cooldown") ?? problems.get("unopenedStreak.count")}
                </span>
              )}
            </label>
          </div>
        )}
      </section>

      <section className="card settings-card" aria-labelledby="s-consent">
        <h3 id="s-consent">Consent</h3>
        <p className="muted">Categories that need an explicit opt-in before anything is sent.</p>
        <div className="form-row">
          {CATEGORIES.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                checked={policy.consentRequired[c] === true}
                disabled={disabled}
                onChange={(e) =>
                  edit({ consentRequired: { ...policy.consentRequired, [c]: e.target.checked } })
                }
              />
              {c} needs consent
            </label>
          ))}
        </div>
      </section>

      <section className="card settings-card" aria-labelledby="s-lines">
        <h3 id="s-lines">Opt-out lines</h3>
        <p className="muted">
          Appended to every marketing SMS in the contact's locale (falling back to its language,
          then English).
        </p>
        <OptOutLines
          rows={rows}
          onChange={(r) => {
            setRows(r);
            if (save.state === "saved") setSave({ state: "idle" });
          }}
          problems={problems}
          disabled={disabled}
        />
      </section>

      {editable && (
        <div className="save-bar">
          <output aria-live="polite" className="small" data-testid="settings-save-state">
            {save.state === "saved" && (
              <span className="ok">✓ Saved: applies from the next tick</span>
            )}
            {save.state === "error" && <span className="error">{save.message}</span>}
            {local.size > 0 && <span className="error">Fix the highlighted fields to save</span>}
          </output>
          <button
            type="button"
            className="ghost"
            disabled={disabled}
            onClick={() => {
              setPolicy(baseline);
              setRows(lineRows(baseline.optOutLines));
              setSave({ state: "idle" });
            }}
          >
            Reset
          </button>
          <button type="submit" className="primary" disabled={disabled || local.size > 0}>
            {save.state === "saving" ? "Saving…" : "Save policy"}
          </button>
        </div>
      )}
    </form>
  );
}
