import type { TimelineEntry } from "../effects.ts";
import { formatLocal } from "../time/index.ts";
import type { SimFinal } from "./simulate.ts";

/** One display line per entry; a sent message's body follows on indented lines. */
function describe(e: TimelineEntry): string {
  switch (e.type) {
    case "sent":
      return `${e.detail}\n${e.body
        .split("\n")
        .map((l) => `      │ ${l}`)
        .join("\n")}`;
    default:
      return e.detail;
  }
}

/**
 * The simulator's timeline as a plain-text table in the contact's zone, for `waymark simulate`
 * without --json. Pure: the CLI prints it.
 */
export function formatTimeline(
  timeline: readonly TimelineEntry[],
  final: SimFinal,
  zone: string,
): string {
  const rows = timeline.map(
    (e) => [formatLocal(e.at, zone), e.nodeId, e.type, describe(e)] as const,
  );
  const w0 = Math.max(4, ...rows.map((r) => r[0].length));
  const w1 = Math.max(4, ...rows.map((r) => r[1].length));
  const w2 = Math.max(4, ...rows.map((r) => r[2].length));
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(w2)}  ${d}`;
  const out = [
    `times in ${zone}`,
    line("time", "node", "type", "detail"),
    line("-".repeat(w0), "-".repeat(w1), "-".repeat(w2), "------"),
  ];
  for (const r of rows) out.push(line(r[0], r[1], r[2], r[3]));
  out.push("", `final: ${final.status}${final.nodeId ? ` at ${final.nodeId}` : ""}`);
  return `${out.join("\n")}\n`;
}
