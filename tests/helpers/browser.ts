import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { ROOT } from "./server-process.ts";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** Debian's Chromium when installed; browser tests skip (and say so) where it is not. */
export const chromiumPath: string | undefined = CANDIDATES.find(
  (p): p is string => !!p && existsSync(p),
);

if (!chromiumPath) {
  console.warn(
    "\n[waymark] browser tests SKIPPED: Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)\n",
  );
}

export const ARTIFACTS = join(ROOT, "test-artifacts");

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error("Chromium is not installed");
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
