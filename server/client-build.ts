import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CLIENT_DIST } from "./app.ts";

const CLIENT_ROOT = resolve(import.meta.dirname, "../client");

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * `npm start` serves the built client; build it when missing or older than its sources so a
 * fresh clone needs no separate build step (about a second with Vite).
 */
export async function ensureClientBuilt(log: (line: string) => void): Promise<void> {
  const shell = join(CLIENT_DIST, "index.html");
  // The client bundles engine/ too (validation, SMS preview): a change there needs a rebuild.
  const sources = Math.max(
    newestMtime(join(CLIENT_ROOT, "src")),
    newestMtime(join(CLIENT_ROOT, "index.html")),
    newestMtime(resolve(CLIENT_ROOT, "../engine")),
  );
  if (existsSync(shell) && statSync(shell).mtimeMs >= sources) return;
  log("building the client…");
  const { build } = await import("vite");
  await build({ configFile: join(CLIENT_ROOT, "vite.config.ts"), logLevel: "warn" });
}
