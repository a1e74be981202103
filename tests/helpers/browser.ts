import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
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
      // The console follows the browser's language on a first visit (issue #20): tests read
      // English labels, whatever the machine's LANG.
      "--lang=en-US",
    ],
  });
}

/**
 * Collects what should never happen on a page: uncaught errors, console errors (other than
 * the browser's own "Failed to load resource", which echoes expected 4xx answers) and 5xx
 * responses. Tests clear it after sign-in, where the signed-out check answers 401 by design.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`);
  });
  return errors;
}

/**
 * Signs in as the first admin through the login form and waits for the journeys list. On the
 * one-time password the server allows nothing but choosing one's own, so this chooses
 * `${password}-own` first; returns the password that works from now on.
 */
export async function signIn(page: Page, url: string, password: string): Promise<string> {
  await page.goto(url);
  await page.getByLabel("Email").fill("admin@waymark.local");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const journeys = page.getByRole("heading", { name: "Journeys", exact: true });
  const choose = page.getByRole("heading", { name: "Choose your password" });
  await journeys.or(choose).waitFor();
  if (await journeys.isVisible()) return password;
  const own = `${password}-own`;
  await page.getByLabel("One-time password").fill(password);
  await page.getByLabel("New password (12+ characters)").fill(own);
  await page.getByRole("button", { name: "Save password" }).click();
  await journeys.waitFor();
  return own;
}
