import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";

// Each benchmark is its own script (bench/<name>/run.ts) so one can be run alone and a crash
// in one does not hide the others. `npm run bench -- engine` runs only the named ones.
const root = import.meta.dirname;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith("-"));
const names = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "lib")
  .map((d) => d.name)
  .filter((n) => wanted.length === 0 || wanted.includes(n));
let failed = 0;
for (const name of names) {
  console.log(`\n== bench ${name} ==`);
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", resolve(root, name, "run.ts"), ...passThrough],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
