import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, watchErrors } from "../helpers/browser.ts";
import { runCli, type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Issue #16, "Everyday console basics": support pages through the contacts and finds one by
 * the phone number a customer reads out, typed as they say it — "(310) 555-0101" — though the
 * number is stored encrypted with a blind index of +13105550101. Support sees it masked.
 */
const FILLERS = 55;

describe.runIf(chromiumPath)("contacts in Chromium: paged, found by phone as typed", () => {
  let server: Started;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    const env = { WAYMARK_DATA_DIR: tempDir(), WAYMARK_DEMO_SEED: "false" };
    const writeKey = (await runCli(["keys", "create", "--kind", "write"], env)).stdout.trim();
    const secretKey = (await runCli(["keys", "create", "--kind", "secret"], env)).stdout.trim();
    [server, browser] = await Promise.all([startWaymark(env), launchBrowser()]);
    const ingest = {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
      "content-type": "application/json",
    };
    const people = [
      { userId: "us-ava", traits: { phone: "+13105550101", firstName: "Ava", lastName: "Moreno" } },
      { userId: "us-ben", traits: { phone: "+13105550102", firstName: "Ben" } },
      { userId: "cn-li", traits: { phone: "+8613800138000", firstName: "Wei", lastName: "Li" } },
      ...Array.from({ length: FILLERS }, (_, i) => ({
        userId: `filler-${String(i).padStart(2, "0")}`,
        traits: { firstName: "Filler" },
      })),
    ];
    const batch = await fetch(`${server.url}/v1/batch`, {
      method: "POST",
      headers: ingest,
      body: JSON.stringify({ batch: people.map((p) => ({ type: "identify", ...p })) }),
    });
    expect(batch.status).toBe(200);
    const created = await fetch(`${server.url}/api/operators`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "sam.support@example.com", role: "support", name: "Sam" }),
    });
    expect(created.status).toBe(201);
    const { password } = (await created.json()) as { password: string };

    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    errors = watchErrors(page);
    // Support signs in with the one-time password and chooses their own.
    await page.goto(server.url);
    await page.getByLabel("Email").fill("sam.support@example.com");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Choose your password" }).waitFor();
    await page.getByLabel("One-time password").fill(password);
    await page.getByLabel("New password (12+ characters)").fill(`${password}-own`);
    await page.getByRole("button", { name: "Save password" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    errors.length = 0;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("pages through every contact, then finds Ava by '(310) 555-0101'", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Contacts" })
      .click();
    await page.getByRole("heading", { name: "Contacts", exact: true }).waitFor();
    const rows = page.getByTestId("contacts-table").locator("tbody tr");
    await page.getByTestId("contacts-more").waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByTestId("contacts-more").click();
    await expect.poll(() => rows.count()).toBe(FILLERS + 3);
    expect(await page.getByTestId("contacts-more").count()).toBe(0);
    await page.getByTestId("contacts-count").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "contacts-paged.png") });
    expect(await page.getByTestId("contacts-count").textContent()).toContain(
      `${FILLERS + 3} contacts shown`,
    );

    await page.getByLabel("Search contacts").fill("(310) 555-0101");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("contacts-table").getByRole("link", { name: "us-ava" }).waitFor();
    expect(await rows.count()).toBe(1);
    const row = await rows.first().textContent();
    // Masked for support: the area code and last four, never the whole number.
    expect(row).toContain("310****0101");
    expect(row).toContain("Ava Moreno");
    expect(row).not.toContain("5550101");
    expect(new URL(page.url()).searchParams.get("q")).toBe("(310) 555-0101");
    await page.screenshot({ path: join(ARTIFACTS, "contacts-phone-search.png") });

    // The Chinese mobile as read aloud, and a wrong number.
    await page.getByLabel("Search contacts").fill("138 0013 8000");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("contacts-table").getByRole("link", { name: "cn-li" }).waitFor();
    expect(await rows.count()).toBe(1);
    await page.getByLabel("Search contacts").fill("(310) 555-0199");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: "No contact matches “(310) 555-0199”" }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
});
