import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { NODE_FLAGS } from "../server/cli/node-flags.ts";

// Each benchmark is its own script (bench/<name>/run.ts) so one can be run alone and a crash
// in one does not hide the others. `npm run bench -- engine` runs only the named ones.
const root = import.meta.dirname;
const all = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "lib")
  .map((d) => d.name);
// Arguments naming a benchmark select it; everything else (`--users 1000000`) is passed on.
const args = process.argv.slice(2);
const wanted = args.filter((a) => all.includes(a));
const passThrough = args.filter((a) => !all.includes(a));
const names = all.filter((n) => wanted.length === 0 || wanted.includes(n));
let failed = 0;
for (const name of names) {
  console.log(`\n== bench ${name} ==`);
  const r = spawnSync(
    process.execPath,
    // With the V8 flags `npm start` passes: several benches run server code in this process.
    [...NODE_FLAGS, "--import", "tsx", resolve(root, name, "run.ts"), ...passThrough],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
