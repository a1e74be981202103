import { parseArgs } from "node:util";
import { diffJourneys } from "../../engine/diff/diff.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { diffLines } from "./diff-text.ts";
import { formatIssue, readText } from "./validate.ts";

const USAGE = "usage: waymark diff <before.json> <after.json> [--json]\n";

function load(path: string): { ok: true; journey: Journey } | { ok: false; message: string } {
  const read = readText(path);
  if (!read.ok) return read;
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (err) {
    return { ok: false, message: `${path} is not JSON: ${(err as Error).message}` };
  }
  const parsed = parseJourney(json);
  if (!parsed.ok)
    return {
      ok: false,
      message: `${path} is not a journey:\n${parsed.issues.map(formatIssue).join("\n")}`,
    };
  return { ok: true, journey: parsed.journey };
}

/**
 * `waymark diff <before.json> <after.json> [--json]`: what changes from one journey document to
 * the other, node by node and field by field — the same diff as the console and
 * `GET /api/journeys/:id/diff` (`--json` prints that JSON). Exit 0 when the documents are the
 * same for users (moves are layout), 1 when they differ, 2 on usage or file errors, like diff(1).
 */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`waymark diff: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [a, b, ...rest] = parsed.positionals;
  if (!a || !b || rest.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const before = load(a);
  const after = load(b);
  for (const side of [before, after]) {
    if (!side.ok) {
      process.stderr.write(`waymark diff: ${side.message}\n`);
      return 2;
    }
  }
  if (!before.ok || !after.ok) return 2;
  const diff = diffJourneys(before.journey, after.journey);
  if (parsed.values.json)
    process.stdout.write(`${JSON.stringify({ from: a, to: b, ...diff }, null, 2)}\n`);
  else process.stdout.write(`${diffLines(diff).join("\n")}\n`);
  return diff.summary.changes === 0 ? 0 : 1;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
}
