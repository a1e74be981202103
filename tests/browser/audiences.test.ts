import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, signIn, watchErrors } from "../helpers/browser.ts";
import { type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Audiences and results in Chromium against the real server with the demo seed: a marketer
 * starts the "dormant, high value" audience from the RFM grid, sees it counted and previewed,
 * saves it, and reads the win-back journey's results table and chart.
 */
describe.runIf(chromiumPath)("audiences and results in Chromium", () => {
  let server: Started;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startWaymark({ WAYMARK_DATA_DIR: tempDir() }),
      launchBrowser(),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = watchErrors(page);
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("builds the dormant, high value audience from the RFM grid and saves it", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Audiences" })
      .click();
    await page.getByRole("heading", { name: "Audiences", exact: true }).waitFor();
    const grid = page.getByTestId("rfm-grid");
    await grid.waitFor({ timeout: 30_000 });
    const cells = grid.locator(".rfm-cell");
    expect(await cells.count()).toBe(25);
    const counts = (await grid.locator(".rfm-count").allTextContents()).map((t) =>
      Number(t.replace(/,/g, "")),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
    await page.screenshot({ path: join(ARTIFACTS, "rfm-grid.png"), fullPage: true });

    // Low recency, high frequency: the bottom-right corner.
    await grid.locator('.rfm-cell[data-r="1"][data-f="5"]').click();
    await page.getByRole("heading", { name: "New audience" }).waitFor();
    expect(await page.getByLabel("Audience name").inputValue()).toBe("Dormant, high value");
    await expect
      .poll(
        async () =>
          Number(((await page.getByTestId("estimate").textContent()) ?? "0").replace(/,/g, "")),
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThan(0);
    const members = page.getByTestId("preview-members").getByRole("listitem");
    await members.first().waitFor({ timeout: 20_000 });
    expect(await members.count()).toBeGreaterThan(0);
    expect(await members.count()).toBeLessThanOrEqual(20);
    expect(await page.getByLabel("Recency from").inputValue()).toBe("1");
    expect(await page.getByLabel("Frequency from").inputValue()).toBe("5");
    await page.screenshot({ path: join(ARTIFACTS, "audience-builder.png"), fullPage: true });

    await page.getByLabel("Audience name").fill("Dormant high value");
    await page.getByRole("button", { name: "Save audience" }).click();
    // Saving a new audience moves to its own URL, which reopens it from the server.
    await page.waitForURL(/\/audiences\/dormant-high-value$/);
    await page.getByRole("heading", { name: "Dormant high value" }).waitFor();
    await page.getByRole("link", { name: "← Audiences" }).click();
    await page
      .getByTestId("audiences-table")
      .getByRole("link", { name: "Dormant high value" })
      .waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  it("shows the win-back journey's results with counts, rates and the chart", async () => {
    await page.goto(`${server.url}/journeys/win-back/results`);
    const table = page.getByTestId("results-table");
    await table.waitFor({ timeout: 30_000 });
    expect(await table.locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await table.textContent()).toMatch(/\d+(\.\d)?%/);
    await page.getByTestId("results-chart").waitFor();
    expect(await page.locator(".line-sends").getAttribute("d")).toMatch(/^M/);
    const csv = page.getByRole("link", { name: "Download CSV" });
    expect(await csv.getAttribute("href")).toBe("/api/journeys/win-back/results.csv");
    await page.screenshot({ path: join(ARTIFACTS, "results.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
