import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, CATEGORIES, type Policy } from "../../api.ts";
import { DurationInput } from "../../components/DurationInput.tsx";
import { CATEGORY_LABELS } from "../../i18n/labels.ts";
import { CapsTable } from "./CapsTable.tsx";
import { OptOutLines } from "./OptOutLines.tsx";
import {
  COOLDOWN_SUGGESTIONS,
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
  const { t } = useTranslation();
  const local = useMemo(() => localProblems(t, policy, rows), [t, policy, rows]);
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
    <form className="settings" onSubmit={submit} aria-label={t("settings.policy.label")}>
      {!editable && <p className="readonly-note">{t("settings.policy.readOnly")}</p>}
      <section className="card settings-card" aria-labelledby="s-hours">
        <h3 id="s-hours">{t("settings.quiet.title")}</h3>
        <p className="muted">{t("settings.quiet.intro")}</p>
        <label className="check">
          <input
            type="checkbox"
            checked={qh !== null}
            disabled={disabled}
            onChange={(e) =>
              edit({ quietHours: e.target.checked ? { start: "08:00", end: "21:00" } : null })
            }
          />
          {t("settings.quiet.enable")}
        </label>
        {qh && (
          <div className="form-row">
            <label>
              {t("settings.quiet.opens")}
              <input
                type="time"
                value={qh.start}
                disabled={disabled}
                onChange={(e) => edit({ quietHours: { ...qh, start: e.target.value } })}
              />
            </label>
            <label>
              {t("settings.quiet.closes")}
              <input
                type="time"
                value={qh.end}
                disabled={disabled}
                onChange={(e) => edit({ quietHours: { ...qh, end: e.target.value } })}
              />
            </label>
            <fieldset className="inline-checks" disabled={disabled}>
              <legend className="small muted">{t("settings.quiet.appliesTo")}</legend>
              {CATEGORIES.map((c) => (
                <label key={c} className="check">
                  <input
                    type="checkbox"
                    checked={policy.quietHoursFor.includes(c)}
                    onChange={(e) =>
                      edit({ quietHoursFor: toggle(policy.quietHoursFor, c, e.target.checked) })
                    }
                  />
                  {t(CATEGORY_LABELS[c])}
                </label>
              ))}
            </fieldset>
          </div>
        )}
        {problems.get("quietHours") && (
          <span className="field-error">{problems.get("quietHours")}</span>
        )}
        <label>
          {t("settings.zone.label")}
          <span className="field-hint muted">{t("settings.zone.hint")}</span>
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
        <h3 id="s-caps">{t("settings.caps.title")}</h3>
        <p className="muted">{t("settings.caps.intro")}</p>
        <CapsTable
          caps={policy.caps}
          onChange={(caps) => edit({ caps })}
          problems={problems}
          disabled={disabled}
        />
      </section>

      <section className="card settings-card" aria-labelledby="s-streak">
        <h3 id="s-streak">{t("settings.streak.title")}</h3>
        <p className="muted">{t("settings.streak.intro")}</p>
        <label className="check">
          <input
            type="checkbox"
            checked={streak !== null}
            disabled={disabled}
            onChange={(e) =>
              edit({ unopenedStreak: e.target.checked ? { count: 3, cooldown: "P30D" } : null })
            }
          />
          {t("settings.streak.enable")}
        </label>
        {streak && (
          <div className="form-row">
            <label>
              {t("settings.streak.count")}
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
            <label htmlFor="streak-cooldown">
              {t("settings.streak.cooldown")}
              <DurationInput
                id="streak-cooldown"
                label={t("settings.streak.cooldown")}
                value={streak.cooldown}
                suggestions={COOLDOWN_SUGGESTIONS}
                disabled={disabled}
                onChange={(cooldown) => edit({ unopenedStreak: { ...streak, cooldown } })}
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
        <h3 id="s-consent">{t("settings.consent.title")}</h3>
        <p className="muted">{t("settings.consent.intro")}</p>
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
              {t("settings.consent.needs", { category: t(CATEGORY_LABELS[c]) })}
            </label>
          ))}
        </div>
      </section>

      <section className="card settings-card" aria-labelledby="s-lines">
        <h3 id="s-lines">{t("settings.lines.title")}</h3>
        <p className="muted">{t("settings.lines.intro")}</p>
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
            {save.state === "saved" && <span className="ok">{t("settings.save.saved")}</span>}
            {save.state === "error" && <span className="error">{save.message}</span>}
            {local.size > 0 && <span className="error">{t("settings.save.fix")}</span>}
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
            {t("settings.save.reset")}
          </button>
          <button type="submit" className="primary" disabled={disabled || local.size > 0}>
            {save.state === "saving" ? t("common.saving") : t("settings.save.submit")}
          </button>
        </div>
      )}
    </form>
  );
}
