import "../console.css";
import "../audiences/audiences.css";
import "./results.css";
import { useEffect, useState } from "react";
import {
  type ArmResult,
  api,
  type Converted,
  type JourneyResults,
  type Rate,
  type SendResult,
} from "../../api.ts";
import { Link } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";
import { SeriesChart } from "./SeriesChart.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; data: JourneyResults };

const DAYS = [0, 1, 3, 7] as const;

const pct = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
const num = (n: number) => n.toLocaleString("en-US");

/** A count with its rate beside it: a rate never travels without the count it is made of. */
function CountRate({ value }: { value: Rate | undefined }) {
  if (!value) return <td className="num muted">—</td>;
  return (
    <td className="num">
      <span className="count">{num(value.count)}</span>{" "}
      <span className="rate muted">{pct(value.rate)}</span>
    </td>
  );
}

function conversionCells(converted: Converted[] | null) {
  return DAYS.map((d) => <CountRate key={d} value={converted?.find((c) => c.day === d)} />);
}

function Head({
  first,
  goal,
  arm = false,
}: {
  first: string;
  goal: boolean;
  /** Arm tables: a Sent column, and conversions counted from assignment. */
  arm?: boolean;
}) {
  return (
    <thead>
      <tr>
        <th>{first}</th>
        <th
          className="num"
          title={
            arm
              ? "Assigned contacts who got a message from this arm's own sends, after taking the arm"
              : undefined
          }
        >
          Recipients
        </th>
        {arm && (
          <th className="num" title="Messages from sends downstream of this arm">
            Sent
          </th>
        )}
        <th className="num">Delivered</th>
        <th className="num">Clicked</th>
        {DAYS.map((d) => (
          <th
            key={d}
            className="num"
            title={
              !goal
                ? "No goal set"
                : arm
                  ? `Converted within day ${d} of taking the arm, over assigned`
                  : `Converted within day ${d} of the send`
            }
          >
            Conv. day {d}
          </th>
        ))}
        <th
          className="num"
          title={
            arm
              ? "Conversions credited to one of this arm's own sends as the last one before the goal event"
              : "Conversions credited to this send as the last one before the goal event"
          }
        >
          Last touch
        </th>
      </tr>
    </thead>
  );
}

function SendRow({ s }: { s: SendResult }) {
  return (
    <tr>
      <td>
        <span className="name">{s.label}</span>
        <div className="muted mono small">
          {s.nodeId}
          {s.channel ? ` · ${s.channel}` : ""}
          {s.removed ? " · removed from the journey" : ""}
        </div>
      </td>
      <td className="num">{num(s.recipients)}</td>
      <CountRate value={s.delivered} />
      <CountRate value={s.clicked} />
      {conversionCells(s.converted)}
      <CountRate value={s.attributed ?? undefined} />
    </tr>
  );
}

function ArmRow({ a }: { a: ArmResult }) {
  return (
    <tr>
      <td>
        <span className="name">{a.arm}</span>
        <div className="muted small">
          {a.control ? "control" : "variant"}
          {a.percent !== null ? ` · ${a.percent}%` : ""} · {num(a.assigned)} assigned
        </div>
      </td>
      <td className="num">{num(a.recipients)}</td>
      <td className="num">{num(a.sent)}</td>
      <CountRate value={a.delivered} />
      <CountRate value={a.clicked} />
      {conversionCells(a.converted)}
      <CountRate value={a.attributed ?? undefined} />
    </tr>
  );
}

export default function ResultsPage({ journeyId }: { journeyId: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });

  useEffect(() => {
    document.title = `Results · ${journeyId} · Waymark`;
    api
      .results(journeyId)
      .then((data) => setLoad({ state: "ready", data }))
      .catch((err: unknown) =>
        setLoad({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      );
  }, [journeyId]);

  return (
    <section className="results">
      <Link className="crumb" href={editorPath(journeyId)}>
        ← Back to the journey
      </Link>
      <div className="page-head">
        <h2>{load.state === "ready" ? `${load.data.name}: results` : "Results"}</h2>
        <a className="button ghost" href={api.resultsCsvUrl(journeyId)} download>
          Download CSV
        </a>
      </div>
      {load.state === "loading" && <p className="muted">Counting sends and conversions…</p>}
      {load.state === "error" && (
        <div className="empty card">
          <h3>Could not load results</h3>
          <p className="error" role="alert">
            {load.message}
          </p>
        </div>
      )}
      {load.state === "ready" && <Results data={load.data} />}
    </section>
  );
}

function Results({ data }: { data: JourneyResults }) {
  const goal = data.goal !== null;
  return (
    <>
      <p className="muted">
        {data.goal ? (
          <>
            Conversion = <code>{data.goal.event}</code> after the send, counted at day 0, 1, 3 and
            7.
          </>
        ) : (
          "This journey has no goal: set one in the editor to count conversions."
        )}{" "}
        Days in {data.zone}.
      </p>
      {data.skippedEntries > 0 && (
        <p className="card skipped-entries" data-testid="skipped-entries">
          <strong>{num(data.skippedEntries)}</strong>{" "}
          {data.skippedEntries === 1 ? "entry was" : "entries were"} skipped while the journey was
          paused with new entries set to skip: those people never entered, and are in none of the
          numbers below.
        </p>
      )}
      <div className="card chart-card">
        <h3 className="panel-title">Daily sends and conversions</h3>
        <SeriesChart series={data.series} />
      </div>

      <h3 className="section-title">Send nodes</h3>
      {data.sends.length === 0 ? (
        <div className="empty card">
          <h3>No send nodes</h3>
          <p className="muted">Results appear per send node once the journey sends.</p>
        </div>
      ) : (
        <table className="table results-table" data-testid="results-table">
          <Head first="Send node" goal={goal} />
          <tbody>
            {data.sends.map((s) => (
              <SendRow key={s.nodeId} s={s} />
            ))}
          </tbody>
        </table>
      )}

      {data.splits.map((split) => (
        <div key={split.nodeId} className="split-block">
          <h3 className="section-title">Split: {split.label}</h3>
          <p className="muted small">
            Each arm counts only its own sends, after the contact took the arm; conversions are
            counted from assignment, over everyone assigned.
          </p>
          <table className="table results-table" data-testid="split-table">
            <Head first="Arm" goal={goal} arm />
            <tbody>
              {split.arms.map((a) => (
                <ArmRow key={a.arm} a={a} />
              ))}
            </tbody>
          </table>
          <ul className="verdicts">
            {split.arms
              .filter((a) => !a.control)
              .map((a) => (
                <li key={a.arm} className={a.test?.significant ? "verdict significant" : "verdict"}>
                  <strong>{a.arm}:</strong> {a.verdict ?? "Not enough data to compare yet."}
                  {a.test && (
                    <span className="muted small">
                      {" "}
                      · {(a.test.confidence * 100).toFixed(0)}% confidence · lift{" "}
                      {(a.test.lift * 100).toFixed(1)} pts · p = {a.test.p.toFixed(3)}
                    </span>
                  )}
                </li>
              ))}
          </ul>
        </div>
      ))}
    </>
  );
}
