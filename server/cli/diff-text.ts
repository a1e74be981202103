import { changesLabel, type FieldChange, type JourneyDiff } from "../../engine/diff/diff.ts";

/**
 * A diff as terminal lines, git-style: `+` added, `-` removed, `~` changed, with field-level
 * changes indented and template words marked `[-removed-]{+added+}` (wdiff's notation).
 * `waymark diff` prints it; `waymark import` prints it when the server refuses an import.
 */
function value(v: unknown): string {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function field(f: FieldChange): string {
  const path = f.path.join(".") || "(value)";
  if (f.words?.some((w) => w.op === "same")) {
    const text = f.words
      .map((w) =>
        w.op === "added" ? `{+${w.text}+}` : w.op === "removed" ? `[-${w.text}-]` : w.text,
      )
      .join("");
    return `${path}: ${text}`;
  }
  if (f.change === "added") return `${path}: added ${value(f.after)}`;
  if (f.change === "removed") return `${path}: removed (was ${value(f.before)})`;
  return `${path}: ${value(f.before)} → ${value(f.after)}`;
}

export function diffLines(d: JourneyDiff): string[] {
  const lines: string[] = [];
  for (const n of d.nodes) {
    const mark = n.change === "added" ? "+" : n.change === "removed" ? "-" : "~";
    lines.push(`${mark} ${n.nodeId} (${n.type})`);
    if (n.change === "changed") for (const f of n.fields) lines.push(`    ${field(f)}`);
  }
  const edge = (e: { from: string; to: string; path?: string | undefined }) =>
    `${e.from}${e.path ? ` (${e.path})` : ""} -> ${e.to}`;
  for (const e of d.edges.added) lines.push(`+ connection ${edge(e)}`);
  for (const e of d.edges.removed) lines.push(`- connection ${edge(e)}`);
  for (const f of d.journey) lines.push(`~ journey ${field(f)}`);
  const s = d.summary;
  lines.push(
    s.changes === 0
      ? `no changes${s.moved > 0 ? ` (${s.moved} step${s.moved === 1 ? "" : "s"} moved on the canvas)` : ""}`
      : `${changesLabel(s.changes)}: ${s.added} added, ${s.removed} removed, ${s.changed} changed steps; ${s.edgesAdded} connections added, ${s.edgesRemoved} removed${s.journey > 0 ? `; ${s.journey} journey fields` : ""}`,
  );
  return lines;
}
