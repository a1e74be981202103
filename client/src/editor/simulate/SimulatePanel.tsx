import "../../components/timeline.css";
import "./simulate.css";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Journey } from "../../../../engine/index.ts";
import { entryEventOf } from "../../../../engine/nodes/registry.ts";
import type { SimContactInput, SimulateRequest, SimulateResult } from "../../api.ts";
import { ApiError, api } from "../../api.ts";
import { type PathHighlight, pathFromTimeline } from "../../canvas/path.ts";
import { useFormat } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { timelineSentence } from "../../pages/contact/sentences.ts";
import { typeLabel, typeTone } from "../../pages/contact/timeline.ts";
import { issueText } from "../issue-text.ts";
import {
  buildEvents,
  type EventRow,
  formatOffset,
  journeyEvents,
  parseObject,
  SAMPLES,
} from "./inputs.ts";

type Who = "sample" | "describe" | "real";

/** How an enrollment ends, as the simulator's summary line says it. */
const FINAL: Record<string, string> = {
  active: msgKey("simulate.final.active"),
  completed: msgKey("simulate.final.completed"),
  exited: msgKey("simulate.final.exited"),
  not_entered: msgKey("simulate.final.not_entered"),
};
type Run =
  | { state: "idle" }
  | { state: "running" }
  | { state: "error"; message: string; details: string[] }
  | { state: "done"; result: SimulateResult; start: number };

let rowKey = 1;
const row = (name = "", when = "+0"): EventRow => ({ key: rowKey++, when, name, properties: "" });

/** datetime-local wants local "YYYY-MM-DDTHH:mm". */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * What would happen to one contact on the current draft: the engine runs on the server with the
 * workspace's policy (quiet hours, caps, consent), nothing is stored or sent. The path lights up
 * on the canvas; each step lists the engine's own reason.
 */
export function SimulatePanel({
  doc,
  onClose,
  onPath,
  onFocusNode,
}: {
  doc: Journey;
  onClose: () => void;
  onPath: (path: PathHighlight | null) => void;
  onFocusNode: (nodeId: string) => void;
}) {
  const [who, setWho] = useState<Who>("sample");
  const [sample, setSample] = useState(SAMPLES[0]?.key ?? "");
  const [zone, setZone] = useState("Asia/Shanghai");
  const [locale, setLocale] = useState("zh-CN");
  const [phone, setPhone] = useState("");
  const [attributes, setAttributes] = useState('{"firstName": "Mei"}');
  const [contactId, setContactId] = useState("");
  const [start, setStart] = useState(() => localInput(Date.now()));
  const [rows, setRows] = useState<EventRow[]>(() => [row(entryEventOf(doc) ?? "")]);
  const { t } = useTranslation();
  const [run, setRun] = useState<Run>({ state: "idle" });
  const events = useMemo(() => journeyEvents(doc), [doc]);

  function contactPart(): Pick<SimulateRequest, "contact" | "contactId"> | string {
    switch (who) {
      case "sample": {
        const s = SAMPLES.find((x) => x.key === sample);
        return s ? { contact: s.contact } : t("simulate.pickSample");
      }
      case "describe": {
        const attrs = parseObject(attributes, t("simulate.attributes"));
        if (!attrs.ok) return attrs.message;
        const c: SimContactInput = { id: "described" };
        if (zone.trim()) c.timezone = zone.trim();
        if (locale.trim()) c.locale = locale.trim();
        if (phone.trim()) c.phone = phone.trim();
        if (attrs.value) c.attributes = attrs.value;
        return { contact: c };
      }
      case "real":
        return contactId.trim() ? { contactId: contactId.trim() } : t("simulate.typeContactId");
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const from = new Date(start).getTime();
    if (!Number.isFinite(from))
      return setRun({ state: "error", message: t("simulate.pickStart"), details: [] });
    const contact = contactPart();
    if (typeof contact === "string")
      return setRun({ state: "error", message: contact, details: [] });
    const built = buildEvents(rows, from);
    if (!built.ok) return setRun({ state: "error", message: built.message, details: [] });
    setRun({ state: "running" });
    try {
      const result = await api.simulate({
        journey: doc,
        ...contact,
        events: built.value,
        from: new Date(from).toISOString(),
      });
      setRun({ state: "done", result, start: from });
      onPath(
        pathFromTimeline(
          doc,
          result.timeline,
          result.final.status === "active" ? result.final.nodeId : null,
        ),
      );
    } catch (err) {
      const details =
        err instanceof ApiError
          ? [
              ...err.issues
                .filter((i) => i.severity === "error")
                .map((i) => `${i.nodeId ?? t("panel.issues.journey")}: ${issueText(t, i)}`),
              ...err.problems.map((p) => `${p.path}: ${p.message}`),
            ]
          : [];
      setRun({
        state: "error",
        message: err instanceof Error ? err.message : String(err),
        details,
      });
      onPath(null);
    }
  }

  const setRowField = (key: number, patch: Partial<EventRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <aside className="sim-drawer" aria-label={t("editor.header.simulate")}>
      <header className="sim-head">
        <h3>{t("editor.header.simulate")}</h3>
        <span className="muted small">{t("simulate.subtitle")}</span>
        <span className="spacer" />
        <button
          type="button"
          className="ghost"
          aria-label={t("simulate.close")}
          onClick={() => {
            onPath(null);
            onClose();
          }}
        >
          ×
        </button>
      </header>
      <form className="sim-form" onSubmit={submit}>
        <fieldset className="sim-who">
          <legend className="panel-title">{t("simulate.contact")}</legend>
          <div className="segmented" role="radiogroup" aria-label={t("simulate.source")}>
            {(
              [
                ["sample", t("simulate.sample")],
                ["describe", t("simulate.describe")],
                ["real", t("simulate.real")],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className={who === value ? "on" : ""}>
                <input
                  type="radio"
                  name="who"
                  value={value}
                  checked={who === value}
                  onChange={() => setWho(value)}
                />
                {label}
              </label>
            ))}
          </div>
          {who === "sample" && (
            <label>
              {t("simulate.sampleContact")}
              <select value={sample} onChange={(e) => setSample(e.target.value)}>
                {SAMPLES.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {who === "describe" && (
            <div className="sim-grid">
              <label>
                {t("simulate.zone")}
                <input
                  value={zone}
                  onChange={(e) => setZone(e.target.value)}
                  placeholder="Asia/Shanghai"
                />
              </label>
              <label>
                {t("simulate.locale")}
                <input
                  value={locale}
                  onChange={(e) => setLocale(e.target.value)}
                  placeholder="zh-CN"
                />
              </label>
              <label className="wide">
                {t("simulate.phone")}
                <input
                  value={phone}
                  onChange={(e) => setPhone(e.target.value)}
                  placeholder={t("simulate.phonePlaceholder")}
                />
              </label>
              <label className="wide">
                {t("simulate.attributesJson")}
                <textarea
                  className="mono-input"
                  rows={3}
                  value={attributes}
                  onChange={(e) => setAttributes(e.target.value)}
                />
              </label>
            </div>
          )}
          {who === "real" && (
            <label>
              {t("simulate.contactId")}
              <input
                value={contactId}
                onChange={(e) => setContactId(e.target.value)}
                placeholder="user-42"
              />
              <span className="field-hint muted">{t("simulate.realHint")}</span>
            </label>
          )}
        </fieldset>
        <fieldset>
          <legend className="panel-title">{t("simulate.events")}</legend>
          <label>
            {t("simulate.startsAt")}
            <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
          </label>
          <ol className="sim-events">
            {rows.map((r, i) => (
              <li key={r.key}>
                <input
                  aria-label={t("simulate.eventTime", { n: i + 1 })}
                  className="mono-input when"
                  value={r.when}
                  placeholder="+2h"
                  onChange={(e) => setRowField(r.key, { when: e.target.value })}
                />
                <input
                  aria-label={t("simulate.eventName", { n: i + 1 })}
                  list="sim-event-names"
                  value={r.name}
                  placeholder="purchased"
                  onChange={(e) => setRowField(r.key, { name: e.target.value })}
                />
                <button
                  type="button"
                  className="ghost"
                  aria-label={t("simulate.removeEvent", { n: i + 1 })}
                  onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                >
                  ×
                </button>
                <input
                  aria-label={t("simulate.eventProperties", { n: i + 1 })}
                  className="mono-input props"
                  value={r.properties}
                  placeholder={t("simulate.propertiesPlaceholder", { example: '{"amount": 59}' })}
                  onChange={(e) => setRowField(r.key, { properties: e.target.value })}
                />
              </li>
            ))}
          </ol>
          <datalist id="sim-event-names">
            {events.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
          <button type="button" onClick={() => setRows((rs) => [...rs, row("", "+1h")])}>
            {t("simulate.addEvent")}
          </button>
        </fieldset>
        <button type="submit" className="primary sim-run" disabled={run.state === "running"}>
          {run.state === "running" ? t("simulate.running") : t("simulate.run")}
        </button>
      </form>
      <SimResult run={run} onFocusNode={onFocusNode} />
    </aside>
  );
}

function SimResult({ run, onFocusNode }: { run: Run; onFocusNode: (id: string) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  switch (run.state) {
    case "idle":
      return <p className="muted small sim-hint">{t("simulate.idleHint")}</p>;
    case "running":
      return <p className="muted sim-hint">{t("simulate.runningEngine")}</p>;
    case "error":
      return (
        <div className="sim-error" role="alert">
          <strong>{t("simulate.cannot")}</strong> {run.message}
          {run.details.length > 0 && (
            <ul>
              {run.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      );
    case "done": {
      const { result, start } = run;
      return (
        <section className="sim-result" aria-label={t("simulate.result")}>
          <p className="sim-final" data-testid="sim-final">
            {t("simulate.ends")}{" "}
            <strong>
              {Object.hasOwn(FINAL, result.final.status)
                ? t(FINAL[result.final.status] as string)
                : result.final.status.replaceAll("_", " ")}
            </strong>
            {result.final.nodeId && (
              <>
                {" "}
                {t("simulate.on")} <span className="mono">{result.final.nodeId}</span>
              </>
            )}{" "}
            · {t("simulate.steps", { count: result.timeline.length })}
          </p>
          {result.issues.map((i) => (
            <p key={i.message} className="sim-error">
              {i.message}
            </p>
          ))}
          {result.timeline.length === 0 ? (
            <p className="muted small">{t("simulate.neverEntered")}</p>
          ) : (
            <ol className="timeline sim-steps" data-testid="sim-steps">
              {result.timeline.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps are a fixed list per run
                <li key={i} className={`tl-row tl-${typeTone(s.type)}`} data-type={s.type}>
                  <time className="tl-time mono" dateTime={s.at} title={format.dateTime(s.at)}>
                    {formatOffset(Date.parse(s.at), start)}
                  </time>
                  <span className={`tl-type tone-${typeTone(s.type)}`}>{typeLabel(s.type)}</span>
                  <div className="tl-main">
                    <div className="tl-detail">
                      {/* English: the engine's own detail, as specific as it gets ("0 → 1" for
                          a counter that starts at 0); other languages: the timeline's sentence
                          made from the step's codes, the English detail on hover. */}
                      <span title={s.detail}>
                        {format.locale === "en"
                          ? s.detail
                          : timelineSentence(s, t, format.locale, null)}
                      </span>
                      <button
                        type="button"
                        className="tl-node link mono"
                        onClick={() => onFocusNode(s.nodeId)}
                      >
                        {s.nodeId}
                      </button>
                    </div>
                    {s.body !== undefined && (
                      <div className="tl-body">
                        <p>{s.body}</p>
                        <span className="muted small">
                          {t("timeline.parts", { count: s.parts ?? 1 })}
                        </span>
                      </div>
                    )}
                  </div>
                </li>
              ))}
            </ol>
          )}
        </section>
      );
    }
  }
}
