import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser } from "../helpers/browser.ts";
import { type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

describe.runIf(chromiumPath)("the console in Chromium", () => {
  let server: Started;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startWaymark({ WAYMARK_DATA_DIR: tempDir() }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("logs in with the printed one-time password and shows the journeys list", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(server.url);
    await page.getByLabel("Email").fill("admin@waymark.local");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("email or password is wrong");

    await page.getByLabel("Password").fill(server.adminPassword ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    // On the one-time password the server allows only choosing one's own: so does the console.
    await page.getByRole("heading", { name: "Choose your password" }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "choose-password.png"), fullPage: true });
    await page.getByLabel("One-time password").fill(server.adminPassword ?? "");
    await page.getByLabel("New password (12+ characters)").fill("a long new password 42");
    await page.getByRole("button", { name: "Save password" }).click();
    await page.getByRole("heading", { name: "Journeys", exact: true }).waitFor();
    expect(await page.locator(".who").textContent()).toContain("admin@waymark.local · admin");
    await page.screenshot({ path: join(ARTIFACTS, "journeys-list.png"), fullPage: true });

    // Reloading keeps the session (HttpOnly cookie), and logging out returns to the form.
    await page.reload();
    await page.getByRole("heading", { name: "Journeys", exact: true }).waitFor();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const login = async (password: string) =>
      (
        await fetch(`${server.url}/api/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "admin@waymark.local", password }),
        })
      ).status;
    expect(await login("a long new password 42")).toBe(201);
    expect(await login(server.adminPassword ?? "")).toBe(401);
  });
});
