import "../console.css";
import "../audiences/audiences.css";
import "./results.css";
import type { TFunction } from "i18next";
import { Fragment, useEffect, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { DEFAULT_VARIANT } from "../../../../engine/nodes/send-variants.ts";
import { assertNever } from "../../../../engine/shared/assert-never.ts";
import {
  type ArmResult,
  api,
  type Converted,
  type JourneyResults,
  type Rate,
  type SendResult,
} from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import { CHANNEL_LABELS, labelOf } from "../../i18n/labels.ts";
import { Link } from "../../router/router.tsx";
import { editorPath } from "../../router/routes.ts";
import { SeriesChart } from "./SeriesChart.tsx";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; data: JourneyResults };

const DAYS = [0, 1, 3, 7] as const;

/** A count with its rate beside it: a rate never travels without the count it is made of. */
function CountRate({ value }: { value: Rate | undefined }) {
  const format = useFormat();
  if (!value) return <td className="num muted">—</td>;
  return (
    <td className="num">
      <span className="count">{format.number(value.count)}</span>{" "}
      <span className="rate muted">
        {value.rate === null
          ? "—"
          : format.number(value.rate, {
              style: "percent",
              minimumFractionDigits: 1,
              maximumFractionDigits: 1,
            })}
      </span>
    </td>
  );
}

type Verdict = NonNullable<ArmResult["verdictFacts"]>;

/** The A/B verdict in words, from the facts the server concluded (server/results/stats.ts). */
function verdictText(t: TFunction, f: Verdict): string {
  const names = { variant: f.variant, control: f.control };
  switch (f.kind) {
    case "empty":
      return t("results.verdict.empty", { arm: f.emptyArm ?? "" });
    case "untestable":
      return t("results.verdict.untestable", names);
    case "same":
      return t("results.verdict.same", names);
    case "unclear":
      return t("results.verdict.unclear", names);
    case "ahead":
    case "behind": {
      const params = { ...names, percent: f.percent ?? 0 };
      const found =
        f.kind === "ahead"
          ? t("results.verdict.ahead", params)
          : t("results.verdict.behind", params);
      const tail = f.significant
        ? t("results.verdict.significant")
        : t("results.verdict.notYetSignificant");
      return `${found}${tail}${f.smallSample ? t("results.verdict.smallSample") : ""}`;
    }
    default:
      return assertNever(f.kind);
  }
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
  const { t } = useTranslation();
  return (
    <thead>
      <tr>
        <th>{first}</th>
        <th className="num" title={arm ? t("results.col.recipientsArmHint") : undefined}>
          {t("results.col.recipients")}
        </th>
        {arm && (
          <th className="num" title={t("results.col.sentHint")}>
            {t("results.col.sent")}
          </th>
        )}
        <th className="num">{t("results.col.delivered")}</th>
        <th className="num">{t("results.col.clicked")}</th>
        {DAYS.map((d) => (
          <th
            key={d}
            className="num"
            title={
              !goal
                ? t("results.col.noGoal")
                : arm
                  ? t("results.col.convArmHint", { day: d })
                  : t("results.col.convHint", { day: d })
            }
          >
            {t("results.col.conv", { day: d })}
          </th>
        ))}
        <th
          className="num"
          title={arm ? t("results.col.lastTouchArmHint") : t("results.col.lastTouchHint")}
        >
          {t("results.col.lastTouch")}
        </th>
      </tr>
    </thead>
  );
}

function SendRow({ s }: { s: SendResult }) {
  const { t } = useTranslation();
  const format = useFormat();
  const channel = labelOf(CHANNEL_LABELS, s.channel);
  return (
    <tr>
      <td>
        <span className="name">{s.label}</span>
        <div className="muted mono small">
          {s.nodeId}
          {s.channel ? ` · ${channel ? t(channel) : s.channel}` : ""}
          {s.removed ? ` · ${t("results.removed")}` : ""}
        </div>
      </td>
      <td className="num">{format.number(s.recipients)}</td>
      <CountRate value={s.delivered} />
      <CountRate value={s.clicked} />
      {conversionCells(s.converted)}
      <CountRate value={s.attributed ?? undefined} />
    </tr>
  );
}

/**
 * A send's locale variant under its row: the messages sent as that variant, so a marketer sees
 * whether the Chinese text clicks and converts like the English one. The rows add up to the send's.
 */
function VariantRow({ s, v }: { s: SendResult; v: SendResult["variants"][number] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <tr className="variant-row" data-variant={v.variant}>
      <td>
        <span className="name">
          {v.variant === DEFAULT_VARIANT
            ? t("variants.resultsDefault")
            : t("variants.resultsRow", { variant: v.variant })}
        </span>
        <div className="muted small">{t("variants.resultsHint", { send: s.label })}</div>
      </td>
      <td className="num">{format.number(v.recipients)}</td>
      <CountRate value={v.delivered} />
      <CountRate value={v.clicked} />
      {conversionCells(v.converted)}
      <CountRate value={v.attributed ?? undefined} />
    </tr>
  );
}

function ArmRow({ a }: { a: ArmResult }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <tr>
      <td>
        <span className="name">{a.arm}</span>
        <div className="muted small">
          {a.control ? t("results.control") : t("results.variant")}
          {a.percent !== null ? ` · ${a.percent}%` : ""} ·{" "}
          {t("results.assigned", { n: format.number(a.assigned) })}
        </div>
      </td>
      <td className="num">{format.number(a.recipients)}</td>
      <td className="num">{format.number(a.sent)}</td>
      <CountRate value={a.delivered} />
      <CountRate value={a.clicked} />
      {conversionCells(a.converted)}
      <CountRate value={a.attributed ?? undefined} />
    </tr>
  );
}

export default function ResultsPage({ journeyId }: { journeyId: string }) {
  const { t } = useTranslation();
  const [load, setLoad] = useState<Load>({ state: "loading" });

  useEffect(() => {
    document.title = `${t("results.title")} · ${journeyId} · Waymark`;
  }, [journeyId, t]);
  useEffect(() => {
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
        ← {t("results.back")}
      </Link>
      <div className="page-head">
        <h2>
          {load.state === "ready"
            ? t("results.heading", { name: load.data.name })
            : t("results.title")}
        </h2>
        <a className="button ghost" href={api.resultsCsvUrl(journeyId)} download>
          {t("results.csv")}
        </a>
      </div>
      {load.state === "loading" && <p className="muted">{t("results.loading")}</p>}
      {load.state === "error" && (
        <div className="empty card">
          <h3>{t("results.loadFailed")}</h3>
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
  const { t } = useTranslation();
  const format = useFormat();
  const goal = data.goal !== null;
  return (
    <>
      <p className="muted">
        {data.goal ? (
          <Trans
            i18nKey="results.goal"
            values={{ event: data.goal.event }}
            components={{ code: <code /> }}
          />
        ) : (
          t("results.noGoal")
        )}{" "}
        {t("results.zone", { zone: data.zone })}
      </p>
      {data.skippedEntries > 0 && (
        <p className="card skipped-entries" data-testid="skipped-entries">
          <Trans
            i18nKey="results.skipped"
            count={data.skippedEntries}
            values={{ n: format.number(data.skippedEntries) }}
            components={{ strong: <strong /> }}
          />
        </p>
      )}
      <div className="card chart-card">
        <h3 className="panel-title">{t("results.chart.title")}</h3>
        <SeriesChart series={data.series} />
      </div>

      <h3 className="section-title">{t("results.sendNodes")}</h3>
      {data.sends.length === 0 ? (
        <div className="empty card">
          <h3>{t("results.noSendNodes")}</h3>
          <p className="muted">{t("results.noSendNodesHint")}</p>
        </div>
      ) : (
        <table className="table results-table" data-testid="results-table">
          <Head first={t("results.col.sendNode")} goal={goal} />
          <tbody>
            {data.sends.map((s) => (
              <Fragment key={s.nodeId}>
                <SendRow s={s} />
                {s.variants.map((v) => (
                  <VariantRow key={v.variant} s={s} v={v} />
                ))}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}

      {data.splits.map((split) => (
        <div key={split.nodeId} className="split-block">
          <h3 className="section-title">{t("results.split", { label: split.label })}</h3>
          <p className="muted small">{t("results.splitHint")}</p>
          <table className="table results-table" data-testid="split-table">
            <Head first={t("results.col.arm")} goal={goal} arm />
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
                  <strong>{t("results.armLabel", { arm: a.arm })}</strong>{" "}
                  {a.verdictFacts
                    ? verdictText(t, a.verdictFacts)
                    : (a.verdict ?? t("results.verdict.notEnough"))}
                  {a.test && (
                    <span className="muted small">
                      {" "}
                      ·{" "}
                      {t("results.stats", {
                        confidence: (a.test.confidence * 100).toFixed(0),
                        lift: (a.test.lift * 100).toFixed(1),
                        p: a.test.p.toFixed(3),
                      })}
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
