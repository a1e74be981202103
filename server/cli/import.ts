import { parseArgs } from "node:util";
import type { JourneyDiff } from "../../engine/diff/diff.ts";
import type { Issue } from "../../engine/validate/issue.ts";
import type { ImportConflict } from "../journeys/import.ts";
import { diffLines } from "./diff-text.ts";
import { call, failure, remote, unreachable } from "./remote.ts";
import { formatIssue, readText } from "./validate.ts";

const USAGE =
  "usage: waymark import <journey.json> [--mode new|replace_draft] [--url http://host:3000]\n";
const MODES = new Set(["new", "replace_draft"]);

/**
 * `waymark import <file>`: sends a journey document to a running server. A new id creates the
 * journey. An id that exists is refused, and the diff against its draft is printed, unless
 * `--mode replace_draft` (its draft only: the live version and its users are never touched)
 * or `--mode new` (a new journey under a free id). Exit 0 when imported, 1 when refused or
 * invalid (the issues are printed), 2 on usage or file errors.
 */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`waymark import: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file, ...rest] = parsed.positionals;
  const mode = parsed.values.mode;
  if (!file || rest.length > 0 || (mode !== undefined && !MODES.has(mode))) {
    process.stderr.write(USAGE);
    return 2;
  }
  const read = readText(file);
  if (!read.ok) {
    process.stderr.write(`waymark import: ${read.message}\n`);
    return 2;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(read.text);
  } catch (err) {
    process.stderr.write(`waymark import: ${file} is not JSON: ${(err as Error).message}\n`);
    return 2;
  }
  const r = remote(parsed.values.url);
  if (!r.ok) {
    process.stderr.write(`waymark import: ${r.message}\n`);
    return 2;
  }
  let answer: Awaited<ReturnType<typeof call>>;
  try {
    answer = await call(
      r.remote,
      "POST",
      `/api/journeys/import${mode ? `?mode=${mode}` : ""}`,
      doc,
    );
  } catch (err) {
    process.stderr.write(`waymark import: ${unreachable(r.remote, err)}\n`);
    return 1;
  }
  if (answer.status === 200 || answer.status === 201) {
    const body = JSON.parse(answer.text) as {
      journey: { id: string };
      outcome: string;
      issues: Issue[];
      diff: JourneyDiff;
    };
    const id = body.journey.id;
    const said =
      body.outcome === "replaced_draft"
        ? `replaced the draft of ${id} (the live version is not touched; publish to make it live)`
        : body.outcome === "created_copy"
          ? `imported as a new journey: ${id}`
          : `created journey ${id}`;
    process.stdout.write(`${said}\n`);
    if (body.outcome === "replaced_draft")
      process.stdout.write(`${diffLines(body.diff).join("\n")}\n`);
    for (const i of body.issues) process.stdout.write(`${formatIssue(i)}\n`);
    return 0;
  }
  if (answer.error?.code === "journey_exists") {
    const c = answer.error.details as ImportConflict;
    process.stderr.write(`waymark import: ${answer.error.message}\n\nchanges to its draft:\n`);
    process.stderr.write(`${diffLines(c.againstDraft).join("\n")}\n`);
    if (c.againstLive && c.journey.liveVersion !== null)
      process.stderr.write(
        `\nagainst live v${c.journey.liveVersion}: ${c.againstLive.summary.changes} changes\n`,
      );
    return 1;
  }
  process.stderr.write(`waymark import: ${failure(answer)}\n`);
  if (answer.status === 422 && Array.isArray(answer.error?.details))
    for (const i of answer.error.details as Issue[]) process.stderr.write(`${formatIssue(i)}\n`);
  return 1;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { mode: { type: "string" }, url: { type: "string" } },
  });
}
