import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { call, failure, remote, unreachable } from "./remote.ts";

const USAGE =
  "usage: waymark export <journey-id> [--version N] [--out file.json] [--url http://host:3000]\n";

/**
 * `waymark export <id>`: a journey's draft (or `--version N`) from a running server as its
 * canonical JSON — stable key order, byte-identical across export/import — to stdout or
 * `--out`, so journeys can live in git and be reviewed as pull requests. Exit 0, 1 when the
 * server refuses, 2 on usage errors.
 */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`waymark export: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [id, ...rest] = parsed.positionals;
  const version = parsed.values.version;
  if (!id || rest.length > 0 || (version !== undefined && !/^\d{1,9}$/.test(version))) {
    process.stderr.write(USAGE);
    return 2;
  }
  const r = remote(parsed.values.url);
  if (!r.ok) {
    process.stderr.write(`waymark export: ${r.message}\n`);
    return 2;
  }
  const path = `/api/journeys/${encodeURIComponent(id)}/export${version ? `?version=${version}` : ""}`;
  let answer: Awaited<ReturnType<typeof call>>;
  try {
    answer = await call(r.remote, "GET", path);
  } catch (err) {
    process.stderr.write(`waymark export: ${unreachable(r.remote, err)}\n`);
    return 1;
  }
  if (answer.status !== 200) {
    process.stderr.write(`waymark export: ${failure(answer)}\n`);
    return 1;
  }
  const out = parsed.values.out;
  if (out) {
    writeFileSync(out, answer.text);
    process.stderr.write(`wrote ${out}\n`);
  } else process.stdout.write(answer.text);
  return 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { version: { type: "string" }, out: { type: "string" }, url: { type: "string" } },
  });
}
