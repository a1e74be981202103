import "../console.css";
import "./audiences.css";
import { useEffect, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { type Audience, api, type RfmGrid as Grid, type RfmCell } from "../../api.ts";
import { useFormat } from "../../i18n/format.ts";
import { useCan } from "../../permissions.ts";
import { Link, navigate } from "../../router/router.tsx";
import { audiencePath } from "../../router/routes.ts";
import { DeleteAudienceDialog } from "./DeleteAudienceDialog.tsx";
import { cellName, RfmGrid } from "./RfmGrid.tsx";

type Load<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; data: T };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A new audience's URL carrying its starting definition and name (e.g. from an RFM cell). */
export function newAudienceHref(definition: unknown, name?: string): string {
  const q = new URLSearchParams({ definition: JSON.stringify(definition) });
  if (name) q.set("name", name);
  return `${audiencePath("new")}?${q.toString()}`;
}

/** "Dormant, high value" from "dormant, high value"; Chinese has no case and is unchanged. */
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export default function AudiencesPage() {
  const [list, setList] = useState<Load<Audience[]>>({ state: "loading" });
  const [grid, setGrid] = useState<Load<Grid>>({ state: "loading" });
  const [deleting, setDeleting] = useState<Audience | null>(null);
  const can = useCan();
  const { t } = useTranslation();
  const format = useFormat();

  useEffect(() => {
    document.title = `${t("nav.audiences")} · Waymark`;
  }, [t]);
  useEffect(() => {
    api
      .audiences()
      .then(({ audiences }) => setList({ state: "ready", data: audiences }))
      .catch((err: unknown) => setList({ state: "error", message: message(err) }));
    api
      .rfm()
      .then((data) => setGrid({ state: "ready", data }))
      .catch((err: unknown) => setGrid({ state: "error", message: message(err) }));
  }, []);

  function pick(cell: RfmCell) {
    const name = cellName(cell.r, cell.f);
    const label = name ? capitalized(t(name)) : t("rfm.cellAudience", { r: cell.r, f: cell.f });
    navigate(newAudienceHref(cell.definition, label));
  }

  return (
    <section>
      <div className="page-head">
        <h2>{t("nav.audiences")}</h2>
        {can("editAudience") && (
          <Link className="button primary" href={audiencePath("new")}>
            {t("audiences.new")}
          </Link>
        )}
      </div>

      <h3 className="section-title">{t("rfm.title")}</h3>
      <div className="card rfm-card">
        {grid.state === "loading" && <p className="muted">{t("rfm.scoring")}</p>}
        {grid.state === "error" && (
          <p className="error" role="alert">
            {t("rfm.failed", { message: grid.message })}
          </p>
        )}
        {grid.state === "ready" && grid.data.buyers === 0 && (
          <div className="empty">
            <h3>{t("rfm.noPurchases")}</h3>
            <p className="muted">
              <Trans i18nKey="rfm.noPurchasesHint" components={{ code: <code /> }} />
            </p>
          </div>
        )}
        {grid.state === "ready" && grid.data.buyers > 0 && (
          <RfmGrid grid={grid.data} onPick={pick} />
        )}
      </div>

      <h3 className="section-title">{t("audiences.saved")}</h3>
      {list.state === "loading" && <p className="muted">{t("app.loadingAudiences")}</p>}
      {list.state === "error" && (
        <p className="error" role="alert">
          {t("audiences.loadFailed", { message: list.message })}
        </p>
      )}
      {list.state === "ready" && list.data.length === 0 && (
        <div className="empty card">
          <h3>{t("audiences.none")}</h3>
          <p className="muted">{t("audiences.noneHint")}</p>
        </div>
      )}
      {list.state === "ready" && list.data.length > 0 && (
        <table className="table" data-testid="audiences-table">
          <thead>
            <tr>
              <th>{t("audiences.col.audience")}</th>
              <th>{t("audiences.col.description")}</th>
              <th>{t("journeys.col.updated")}</th>
              <th>
                <span className="sr-only">{t("journeys.col.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link className="name" href={audiencePath(a.id)}>
                    {a.name}
                  </Link>
                  <div className="muted mono">{a.id}</div>
                </td>
                <td>{a.description ?? <span className="muted">—</span>}</td>
                <td className="muted" title={format.dateTime(a.updatedAt)}>
                  {format.relative(a.updatedAt)}
                </td>
                <td className="row-actions">
                  {can("editAudience") && (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={t("audiences.deleteAria", { name: a.name })}
                      onClick={() => setDeleting(a)}
                    >
                      {t("common.delete")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <DeleteAudienceDialog
          audience={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(id) => {
            setDeleting(null);
            setList((l) =>
              l.state === "ready" ? { ...l, data: l.data.filter((a) => a.id !== id) } : l,
            );
          }}
        />
      )}
    </section>
  );
}
