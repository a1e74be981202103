import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { hasErrors, type Issue, validateText } from "../../engine/index.ts";

/** Reads a file as text; a one-line message instead of a stack trace when it cannot. */
export function readText(
  path: string,
): { ok: true; text: string } | { ok: false; message: string } {
  try {
    return { ok: true, text: readFileSync(path, "utf8") };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : (code ?? "unreadable");
    return { ok: false, message: `cannot read ${path}: ${why}` };
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return (
    path.reduce<string>(
      (s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p),
      "",
    ) || "(document)"
  );
}

export function formatIssue(i: Issue): string {
  const node = i.nodeId ? ` [${i.nodeId}]` : "";
  return `${i.severity.padEnd(7)} ${i.code.padEnd(30)} ${formatPath(i.path)}${node}: ${i.message}`;
}

/**
 * `waymark validate <journey.json> [--json] [--max-sms-parts N]`: prints every issue; exit 0
 * when there are no errors (warnings allowed), 1 when the journey has errors, 2 on usage or
 * file errors.
 */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`waymark validate: ${(err as Error).message}\n`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    process.stderr.write("usage: waymark validate <journey.json> [--json] [--max-sms-parts N]\n");
    return 2;
  }
  const maxParts = parsed.values["max-sms-parts"];
  const maxSmsParts = maxParts === undefined ? 3 : Number(maxParts);
  if (!Number.isInteger(maxSmsParts) || maxSmsParts < 1) {
    process.stderr.write("waymark validate: --max-sms-parts must be a positive integer\n");
    return 2;
  }
  const read = readText(file);
  if (!read.ok) {
    process.stderr.write(`waymark validate: ${read.message}\n`);
    return 2;
  }
  const issues = validateText(read.text, { maxSmsParts });
  if (parsed.values.json) {
    process.stdout.write(
      `${JSON.stringify({ file, valid: !hasErrors(issues), issues }, null, 2)}\n`,
    );
  } else {
    for (const i of issues) process.stdout.write(`${formatIssue(i)}\n`);
    const errors = issues.filter((i) => i.severity === "error").length;
    const warnings = issues.length - errors;
    const verdict = errors === 0 ? "valid" : "invalid";
    process.stdout.write(
      `${file}: ${verdict} (${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"})\n`,
    );
  }
  return hasErrors(issues) ? 1 : 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean" }, "max-sms-parts": { type: "string" } },
  });
}
