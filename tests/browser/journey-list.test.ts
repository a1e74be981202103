import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";

/**
 * Issue #16, "Everyday console basics", in Chromium against the real server: the journey list
 * is searched by name as the marketer types (debounced, kept in the URL across a reload),
 * filtered by status (archived hidden until asked for), and a journey is archived — the confirm
 * says its users exit — and unarchived from the list.
 */
const journey = (id: string, name: string, trigger: Record<string, unknown>) => ({
  format: "waymark/journey@1",
  id,
  name,
  nodes: [
    { id: "start", type: "trigger", trigger },
    { id: "hold", type: "wait", wait: { kind: "duration", duration: "P7D" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "hold" },
    { from: "hold", to: "done" },
  ],
});

describe.runIf(chromiumPath)("journey list in Chromium: search, status filter, archive", () => {
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false" },
    page: { viewport: { width: 1280, height: 860 } },
  });
  const { api } = ui;

  const names = async () =>
    (await ui.page.getByTestId("journeys-table").locator("tbody tr a.name").allInnerTexts()).map(
      (t) => t.trim(),
    );

  beforeAll(async () => {
    const api_ = { kind: "api" };
    await api("/api/journeys", journey("cart-nudge", "Cart nudge", api_));
    await api("/api/journeys", journey("cart-rescue", "Abandoned CART rescue", api_));
    await api("/api/journeys", journey("welcome", "Welcome series", api_));
    await api("/api/journeys", journey("winback", "Win-back", api_));
    await api("/api/journeys/cart-nudge/publish", {});
    await api("/api/journeys/winback/publish", {});
    await api("/api/journeys/winback/pause", { entries: "skip" });
    // Two people in the cart nudge, waiting a week: archiving must say they exit.
    for (const userId of ["ann", "bob"])
      await api("/api/journeys/cart-nudge/enroll", { userId, properties: {} });
  });

  it("searches by name as you type, debounced, and keeps the search in the URL across a reload", async () => {
    await ui.page.goto(`${ui.url}/journeys`);
    await ui.page.getByTestId("journeys-table").waitFor();
    expect((await names()).sort()).toEqual(
      ["Abandoned CART rescue", "Cart nudge", "Welcome series", "Win-back"].sort(),
    );
    const listCalls: string[] = [];
    ui.page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/journeys" && r.method() === "GET")
        listCalls.push(r.url());
    });
    await ui.page.getByLabel("Search journeys by name").pressSequentially("cart", { delay: 40 });
    await ui.page.waitForURL(/\?q=cart$/);
    await ui.page.getByTestId("journeys-table").locator("tbody tr").first().waitFor();
    await expect
      .poll(async () => (await names()).sort())
      .toEqual(["Abandoned CART rescue", "Cart nudge"]);
    // Four keystrokes, one request: the list is asked once the typing settles.
    expect(listCalls).toHaveLength(1);
    expect(listCalls[0]).toContain("q=cart");

    await ui.page.reload();
    await ui.page.getByTestId("journeys-table").waitFor();
    expect(await ui.page.getByLabel("Search journeys by name").inputValue()).toBe("cart");
    expect((await names()).sort()).toEqual(["Abandoned CART rescue", "Cart nudge"]);

    await ui.page.getByLabel("Search journeys by name").fill("nothing like it");
    await ui.page.getByTestId("journeys-none").getByText("No journey matches").waitFor();
    await ui.page.getByLabel("Search journeys by name").fill("");
    await expect.poll(async () => (await names()).length).toBe(4);
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("filters by status; the filter survives a reload", async () => {
    await ui.page.getByLabel("Status").selectOption("paused");
    await ui.page.waitForURL(/\?status=paused$/);
    await expect.poll(names).toEqual(["Win-back"]);
    await ui.page.getByLabel("Status").selectOption("draft");
    await expect
      .poll(async () => (await names()).sort())
      .toEqual(["Abandoned CART rescue", "Welcome series"]);
    await ui.page.reload();
    await ui.page.getByTestId("journeys-table").waitFor();
    expect(await ui.page.getByLabel("Status").inputValue()).toBe("draft");
    // Search and status together.
    await ui.page.getByLabel("Search journeys by name").fill("welcome");
    await ui.page.waitForURL(/\?q=welcome&status=draft$/);
    await expect.poll(names).toEqual(["Welcome series"]);
    await ui.page.getByLabel("Search journeys by name").fill("");
    await ui.page.getByLabel("Status").selectOption("");
    await expect.poll(async () => (await names()).length).toBe(4);
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("archives from the list after a confirm naming the users who exit, then unarchives it", async () => {
    const row = ui.page.locator('tr[data-journey="cart-nudge"]');
    await row.getByRole("button", { name: "Archive Cart nudge" }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Archive “Cart nudge”?" });
    await dialog.waitFor();
    const consequence = await dialog.getByTestId("archive-consequence").textContent();
    expect(consequence).toContain("2 users in this journey now exit at once");
    expect(consequence).toContain("Nobody new enters");
    await dialog.screenshot({ path: join(ARTIFACTS, "journey-archive-dialog.png") });
    // Cancel changes nothing.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect((await api<{ status: string }>("/api/journeys/cart-nudge")).status).toBe("live");

    await row.getByRole("button", { name: "Archive Cart nudge" }).click();
    await dialog.getByRole("button", { name: "Archive journey" }).click();
    await dialog.waitFor({ state: "detached" });
    await ui.page.getByRole("status").getByText("Archived “Cart nudge”; 2 users exited.").waitFor();
    // Hidden from the default list, the two users exited.
    await expect.poll(names).not.toContain("Cart nudge");
    const ann = await api<{ enrollments: { journeyId: string; status: string }[] }>(
      "/api/contacts/ann/journeys",
    );
    expect(ann.enrollments.find((e) => e.journeyId === "cart-nudge")?.status).toBe("exited");

    await ui.page.getByLabel("Status").selectOption("archived");
    await expect.poll(names).toEqual(["Cart nudge"]);
    await ui.page.screenshot({
      path: join(ARTIFACTS, "journey-list-archived.png"),
      fullPage: true,
    });
    await ui.page.getByRole("button", { name: "Unarchive Cart nudge" }).click();
    const back = ui.page.getByRole("dialog", { name: "Unarchive “Cart nudge”?" });
    expect(await back.getByTestId("archive-consequence").textContent()).toContain(
      "comes back paused",
    );
    await back.getByRole("button", { name: "Unarchive journey" }).click();
    await back.waitFor({ state: "detached" });
    await ui.page
      .getByRole("status")
      .getByText("Unarchived “Cart nudge”: it is paused now.")
      .waitFor();
    await expect.poll(async () => (await names()).length).toBe(0);
    await ui.page.getByLabel("Status").selectOption("paused");
    await expect.poll(async () => (await names()).sort()).toEqual(["Cart nudge", "Win-back"]);
    const after = await api<{ status: string; pause: { entries: string } | null }>(
      "/api/journeys/cart-nudge",
    );
    expect(after).toMatchObject({ status: "paused", pause: { entries: "skip" } });
    await ui.page.screenshot({
      path: join(ARTIFACTS, "journey-list-filtered.png"),
      fullPage: true,
    });
    expect(ui.errors).toEqual([]);
  }, 60_000);
});
