import type { Journey } from "./journey.ts";
import { JourneySchema } from "./journey.ts";

/**
 * The canonical text of a journey: keys in schema order (not the author's insertion order),
 * 2-space indentation, trailing newline. Export → import → export is byte-identical, so
 * journeys review well as diffs. Array order (nodes, edges, conditions) is the author's: it
 * carries meaning on the canvas and in `where` lists.
 *
 * Layout follows the repository's JSON formatter (Biome, line width 100) so a checked-in
 * journey is stable under `biome check --write` too: objects always expanded; arrays of
 * scalars on one line when they fit (numbers otherwise packed per line, other scalars one per
 * line); arrays holding objects one element per line.
 */
export function exportJourney(journey: Journey): string {
  // Re-parsing rebuilds every object in shape order and drops `undefined` members.
  const canonical = JourneySchema.parse(journey);
  return `${print(canonical, 0, "", "")}\n`;
}

const LINE_WIDTH = 100;

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== "object";
}

/** `prefix` is what precedes the value on its line (key), `suffix` what follows (comma). */
function print(value: unknown, depth: number, prefix: string, suffix: string): string {
  const pad = "  ".repeat(depth);
  const inner = "  ".repeat(depth + 1);
  if (isScalar(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every(isScalar)) {
      const items = value.map((v) => JSON.stringify(v));
      const flat = `[${items.join(", ")}]`;
      if (pad.length + prefix.length + flat.length + suffix.length <= LINE_WIDTH) return flat;
      if (value.every((v) => typeof v === "number")) {
        // Biome "fills" numeric arrays: as many per line as fit.
        const lines: string[] = [];
        let line = "";
        items.forEach((item, i) => {
          const piece = i < items.length - 1 ? `${item},` : item;
          if (line !== "" && inner.length + line.length + 1 + piece.length > LINE_WIDTH) {
            lines.push(line);
            line = piece;
          } else line = line === "" ? piece : `${line} ${piece}`;
        });
        lines.push(line);
        return `[\n${lines.map((l) => inner + l).join("\n")}\n${pad}]`;
      }
      return `[\n${items.map((item, i) => `${inner}${item}${i < items.length - 1 ? "," : ""}`).join("\n")}\n${pad}]`;
    }
    const lines = value.map((v, i) => {
      const comma = i < value.length - 1 ? "," : "";
      return `${inner}${print(v, depth + 1, "", comma)}${comma}`;
    });
    return `[\n${lines.join("\n")}\n${pad}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  );
  if (entries.length === 0) return "{}";
  const lines = entries.map(([k, v], i) => {
    const comma = i < entries.length - 1 ? "," : "";
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${print(v, depth + 1, key, comma)}${comma}`;
  });
  return `{\n${lines.join("\n")}\n${pad}}`;
}
