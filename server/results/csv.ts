import { DAYS } from "./queries.ts";
import type { JourneyResults, Rate } from "./results.ts";

/**
 * The results as CSV: one row per send node, per locale variant of a send (after its send's row),
 * and per split arm, counts next to rates, the A/B test on arm rows; an arm row counts only the
 * arm's own messages (ArmResult in results.ts).
 * RFC 4180 quoting; cells that a spreadsheet would run as a formula (=, +, -, @ first) are
 * prefixed with a quote, since node labels are free text.
 */
export const CSV_COLUMNS = [
  "kind",
  "node_id",
  "label",
  "arm",
  "assigned",
  "recipients",
  "sent",
  "delivered",
  "delivered_rate",
  "clicked",
  "clicked_rate",
  ...DAYS.flatMap((d) => [`converted_day${d}`, `converted_day${d}_rate`]),
  "attributed",
  "attributed_rate",
  "z",
  "p_value",
  "confidence",
  "verdict",
  // Last, so the columns spreadsheets already read keep their places.
  "variant",
] as const;

type Cell = string | number | null;

function cell(v: Cell): string {
  if (v === null) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const rateCells = (r: Rate): Cell[] => [r.count, r.rate];

function convertedCells(c: Rate[] | null): Cell[] {
  return c ? c.flatMap(rateCells) : DAYS.flatMap(() => [null, null]);
}

export function resultsCsv(results: JourneyResults): string {
  const rows: Cell[][] = [[...CSV_COLUMNS]];
  for (const s of results.sends) {
    for (const row of [{ ...s, variant: null }, ...s.variants]) {
      rows.push([
        row.variant === null ? "send" : "variant",
        s.nodeId,
        s.label,
        null,
        null,
        row.recipients,
        // A send node's recipients are its messages, one per contact and visit.
        row.recipients,
        ...rateCells(row.delivered),
        ...rateCells(row.clicked),
        ...convertedCells(row.converted),
        ...(row.attributed ? rateCells(row.attributed) : [null, null]),
        null,
        null,
        null,
        null,
        row.variant,
      ]);
    }
  }
  for (const split of results.splits) {
    for (const a of split.arms) {
      rows.push([
        "arm",
        split.nodeId,
        split.label,
        a.arm,
        a.assigned,
        a.recipients,
        a.sent,
        ...rateCells(a.delivered),
        ...rateCells(a.clicked),
        ...convertedCells(a.converted),
        ...(a.attributed ? rateCells(a.attributed) : [null, null]),
        a.test ? Math.round(a.test.z * 1000) / 1000 : null,
        a.test ? Math.round(a.test.p * 10_000) / 10_000 : null,
        a.test ? Math.round(a.test.confidence * 10_000) / 10_000 : null,
        a.control ? "control" : a.verdict,
        null,
      ]);
    }
  }
  return `${rows.map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}
