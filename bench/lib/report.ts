import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { benchServer } from "./database.ts";
import { cpuModel, gitCommit } from "./environment.ts";

const file = resolve(import.meta.dirname, "../../docs/BENCHMARKS.md");

/**
 * Machine line quoted above every benchmark section, so numbers are never read without it:
 * the CPU model as /proc/cpuinfo names it, cores, memory, Node, the PostgreSQL server and its
 * settings when the bench made its database there (database.ts), and the commit measured.
 */
export function machine(): string {
  const gib = Math.round(totalmem() / 2 ** 30);
  const server = benchServer ? `; ${benchServer}` : "";
  return `${cpus().length} × ${cpuModel()}, ${gib} GiB, Node ${process.version}${server}, commit ${gitCommit()}`;
}

/**
 * Replaces the section `name` of docs/BENCHMARKS.md (between `<!-- bench:name -->` markers),
 * adding it at the end when missing, so each benchmark rewrites only its own table. `ranOn`
 * replaces the date-and-machine line (bench/lib/environment.ts gives the database's too). The
 * line ends with the bench process's peak RSS: where the work runs in that process (engine,
 * audiences, event latency, PGlite), it is the memory the work took; benches with worker or
 * server processes report theirs in their tables.
 */
export function writeSection(name: string, title: string, body: string, ranOn?: string): void {
  let doc: string;
  try {
    doc = readFileSync(file, "utf8");
  } catch {
    doc = "# Benchmarks\n\nWritten by `npm run bench`; each section says when and where it ran.\n";
  }
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const date = new Date().toISOString().slice(0, 10);
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  const section = `${start}\n## ${title}\n\n_Ran ${ranOn ?? `${date} on ${machine()}`}; bench process peak RSS ${rss} MiB._\n\n${body.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + section + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
}
