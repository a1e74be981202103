import "../../components/timeline.css";
import "./simulate.css";
import { type FormEvent, useMemo, useState } from "react";
import type { Journey } from "../../../../engine/index.ts";
import { entryEventOf } from "../../../../engine/nodes/registry.ts";
import type { SimContactInput, SimulateRequest, SimulateResult } from "../../api.ts";
import { ApiError, api } from "../../api.ts";
import { type PathHighlight, pathFromTimeline } from "../../canvas/path.ts";
import { typeLabel, typeTone } from "../../pages/contact/timeline.ts";
import {
  buildEvents,
  type EventRow,
  formatOffset,
  journeyEvents,
  parseObject,
  SAMPLES,
} from "./inputs.ts";

type Who = "sample" | "describe" | "real";
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
  const [run, setRun] = useState<Run>({ state: "idle" });
  const events = useMemo(() => journeyEvents(doc), [doc]);

  function contactPart(): Pick<SimulateRequest, "contact" | "contactId"> | string {
    switch (who) {
      case "sample": {
        const s = SAMPLES.find((x) => x.key === sample);
        return s ? { contact: s.contact } : "pick a sample contact";
      }
      case "describe": {
        const attrs = parseObject(attributes, "attributes");
        if (!attrs.ok) return attrs.message;
        const c: SimContactInput = { id: "described" };
        if (zone.trim()) c.timezone = zone.trim();
        if (locale.trim()) c.locale = locale.trim();
        if (phone.trim()) c.phone = phone.trim();
        if (attrs.value) c.attributes = attrs.value;
        return { contact: c };
      }
      case "real":
        return contactId.trim() ? { contactId: contactId.trim() } : "type a contact id";
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const from = new Date(start).getTime();
    if (!Number.isFinite(from))
      return setRun({ state: "error", message: "pick a start time", details: [] });
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
                .map((i) => `${i.nodeId ?? "journey"}: ${i.message}`),
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
    <aside className="sim-drawer" aria-label="Simulate">
      <header className="sim-head">
        <h3>Simulate</h3>
        <span className="muted small">the current draft · nothing is sent</span>
        <span className="spacer" />
        <button
          type="button"
          className="ghost"
          aria-label="Close the simulator"
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
          <legend className="panel-title">Contact</legend>
          <div className="segmented" role="radiogroup" aria-label="Contact source">
            {(
              [
                ["sample", "Sample"],
                ["describe", "Describe"],
                ["real", "Real contact"],
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
              Sample contact
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
                Time zone
                <input
                  value={zone}
                  onChange={(e) => setZone(e.target.value)}
                  placeholder="Asia/Shanghai"
                />
              </label>
              <label>
                Locale
                <input
                  value={locale}
                  onChange={(e) => setLocale(e.target.value)}
                  placeholder="zh-CN"
                />
              </label>
              <label className="wide">
                Phone
                <input
                  value={phone}
                  onChange={(e) => setPhone(e.target.value)}
                  placeholder="+8613812345678 (optional)"
                />
              </label>
              <label className="wide">
                Attributes (JSON)
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
              Contact id
              <input
                value={contactId}
                onChange={(e) => setContactId(e.target.value)}
                placeholder="user-42"
              />
              <span className="field-hint muted">
                Uses their profile, consent, zone, opt-outs, cooldowns and recent sends (caps);
                their past events are not replayed.
              </span>
            </label>
          )}
        </fieldset>
        <fieldset>
          <legend className="panel-title">Events</legend>
          <label>
            Starts at
            <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
          </label>
          <ol className="sim-events">
            {rows.map((r, i) => (
              <li key={r.key}>
                <input
                  aria-label={`Event ${i + 1} time`}
                  className="mono-input when"
                  value={r.when}
                  placeholder="+2h"
                  onChange={(e) => setRowField(r.key, { when: e.target.value })}
                />
                <input
                  aria-label={`Event ${i + 1} name`}
                  list="sim-event-names"
                  value={r.name}
                  placeholder="purchased"
                  onChange={(e) => setRowField(r.key, { name: e.target.value })}
                />
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Remove event ${i + 1}`}
                  onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                >
                  ×
                </button>
                <input
                  aria-label={`Event ${i + 1} properties`}
                  className="mono-input props"
                  value={r.properties}
                  placeholder='properties {"amount": 59}'
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
            Add an event
          </button>
        </fieldset>
        <button type="submit" className="primary sim-run" disabled={run.state === "running"}>
          {run.state === "running" ? "Running…" : "Run simulation"}
        </button>
      </form>
      <SimResult run={run} onFocusNode={onFocusNode} />
    </aside>
  );
}

function SimResult({ run, onFocusNode }: { run: Run; onFocusNode: (id: string) => void }) {
  switch (run.state) {
    case "idle":
      return (
        <p className="muted small sim-hint">
          Times are offsets from the start (+30m, +2h, +1d 3h) or ISO instants. The workspace's
          quiet hours, caps and consent rules apply, as in production.
        </p>
      );
    case "running":
      return <p className="muted sim-hint">Running the engine…</p>;
    case "error":
      return (
        <div className="sim-error" role="alert">
          <strong>Cannot simulate:</strong> {run.message}
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
        <section className="sim-result" aria-label="Simulation result">
          <p className="sim-final" data-testid="sim-final">
            Ends <strong>{result.final.status.replaceAll("_", " ")}</strong>
            {result.final.nodeId && (
              <>
                {" "}
                on <span className="mono">{result.final.nodeId}</span>
              </>
            )}{" "}
            · {result.timeline.length} step{result.timeline.length === 1 ? "" : "s"}
          </p>
          {result.issues.map((i) => (
            <p key={i.message} className="sim-error">
              {i.message}
            </p>
          ))}
          {result.timeline.length === 0 ? (
            <p className="muted small">The contact never entered: no event matched the trigger.</p>
          ) : (
            <ol className="timeline sim-steps" data-testid="sim-steps">
              {result.timeline.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps are a fixed list per run
                <li key={i} className={`tl-row tl-${typeTone(s.type)}`} data-type={s.type}>
                  <time
                    className="tl-time mono"
                    dateTime={s.at}
                    title={new Date(s.at).toLocaleString()}
                  >
                    {formatOffset(Date.parse(s.at), start)}
                  </time>
                  <span className={`tl-type tone-${typeTone(s.type)}`}>{typeLabel(s.type)}</span>
                  <div className="tl-main">
                    <div className="tl-detail">
                      {s.detail}
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
                          {s.parts ?? 1} part{s.parts === 1 ? "" : "s"}
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
