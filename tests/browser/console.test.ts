import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { runCli } from "../helpers/server-process.ts";
import { middayZone } from "../helpers/time.ts";

/**
 * The console's support and admin pages in Chromium against the real server: a contact moves
 * through a live journey while the inspector is open (no reload), the SMS shows in the outbox,
 * a policy change survives a reload, and the editor's simulator lights up a path.
 */
const JOURNEY = {
  format: "waymark/journey@1",
  id: "console-cart",
  name: "Console cart reminder",
  nodes: [
    {
      id: "start",
      type: "trigger",
      trigger: { kind: "event", event: "cart_abandoned" },
      position: { x: 0, y: 0 },
    },
    {
      id: "wait1",
      type: "wait",
      wait: { kind: "duration", duration: "PT2S" },
      position: { x: 300, y: 0 },
    },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, your cart is waiting",
      },
      position: { x: 600, y: 0 },
    },
    {
      id: "wait2",
      type: "wait",
      wait: { kind: "duration", duration: "P1D" },
      position: { x: 900, y: 0 },
    },
    { id: "done", type: "exit", position: { x: 1200, y: 0 } },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms1" },
    { from: "sms1", to: "wait2" },
    { from: "wait2", to: "done" },
  ],
};

describe.runIf(chromiumPath)(
  "the console in Chromium: inspector, messages, settings, simulate",
  () => {
    let admin: Record<string, string>;
    let ingest: Record<string, string>;
    const ui = signedInConsole({
      env: { WAYMARK_DEMO_SEED: "false", WAYMARK_DELIVERY_POLL_MS: "100" },
      prepare: async (env) => {
        const writeKey = (await runCli(["keys", "create", "--kind", "write"], env)).stdout.trim();
        const secretKey = (await runCli(["keys", "create", "--kind", "secret"], env)).stdout.trim();
        admin = { authorization: `Bearer ${secretKey}`, "content-type": "application/json" };
        ingest = {
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
          "content-type": "application/json",
        };
        return {};
      },
    });

    beforeAll(async () => {
      const created = await fetch(`${ui.url}/api/journeys`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify(JOURNEY),
      });
      expect(created.status).toBe(201);
      const published = await fetch(`${ui.url}/api/journeys/${JOURNEY.id}/publish`, {
        method: "POST",
        headers: admin,
      });
      expect(published.status).toBe(200);
    });

    const post = (path: string, body: unknown) =>
      fetch(`${ui.url}${path}`, { method: "POST", headers: ingest, body: JSON.stringify(body) });

    it("shows a contact moving through a live journey without a reload", async () => {
      expect(
        (
          await post("/v1/identify", {
            userId: "browser-1",
            traits: { firstName: "Mei", phone: "+12025550199", timezone: middayZone() },
            consent: { sms: { promotional: true } },
          })
        ).status,
      ).toBe(200);

      // Search from the Contacts ui.page, as support does.
      await ui.page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Contacts" })
        .click();
      await ui.page.getByRole("heading", { name: "Contacts", exact: true }).waitFor();
      await ui.page.getByLabel("Search contacts").fill("browser-1");
      await ui.page.getByRole("button", { name: "Search" }).click();
      await ui.page.getByTestId("contacts-table").getByRole("link", { name: "browser-1" }).click();
      await ui.page.getByRole("heading", { name: "browser-1" }).waitFor();
      await ui.page.getByTestId("no-enrollments").waitFor();
      expect(await ui.page.getByTestId("contact-phone").textContent()).toContain("+12025550199");

      // The server pushes timeline rows over socket.io: the page says it is live, not polling.
      await expect
        .poll(() => ui.page.getByTestId("live-mode").textContent(), { timeout: 15_000 })
        .toContain("Live");

      // A marker on the window: if the page reloaded, it would be gone.
      await ui.page.evaluate(() => {
        (window as unknown as { __noReload: boolean }).__noReload = true;
      });
      expect(
        (
          await post("/v1/track", {
            userId: "browser-1",
            event: "cart_abandoned",
            messageId: "c-1",
          })
        ).status,
      ).toBe(200);

      const card = ui.page.locator("article.enrollment");
      await card.waitFor({ timeout: 20_000 });
      await card.locator('.tl-row[data-type="entered"]').waitFor({ timeout: 20_000 });
      // wait1 (2 s) → sms1 → wait2: the timeline grows and the highlighted node moves.
      await card.locator('.tl-row[data-type="sent"]').waitFor({ timeout: 30_000 });
      await expect
        .poll(() => card.getAttribute("data-current-node"), { timeout: 20_000 })
        .toBe("wait2");
      await card.locator(".react-flow__node.wm-current").getByTestId("node-wait2").waitFor();
      expect(await card.locator(".react-flow__node.wm-visited").count()).toBeGreaterThanOrEqual(3);
      expect(await card.locator(".tl-row").allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining("Hi Mei, your cart is waiting")]),
      );
      expect(
        await ui.page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload),
      ).toBe(true);
      await ui.page.screenshot({ path: join(ARTIFACTS, "console-inspector.png"), fullPage: true });
    }, 90_000);

    it("lists the SMS in the outbox with its status and a link to the contact", async () => {
      await ui.page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Messages" })
        .click();
      await ui.page.getByRole("heading", { name: "Messages", exact: true }).waitFor();
      const row = ui.page.getByTestId("messages-table").locator("tbody tr").first();
      await row.waitFor();
      expect(await row.textContent()).toContain("Hi Mei, your cart is waiting");
      expect(await row.locator(".badge").textContent()).toMatch(
        /^(queued|sending|sent|delivered)$/,
      );
      expect(await row.textContent()).toMatch(/SMS · promotional · GSM-7 · 1 part/);

      // A filter that matches nothing shows the designed empty state.
      await ui.page.getByLabel("Status").selectOption("failed");
      await ui.page.getByText("No message matches these filters").waitFor();
      await ui.page.getByRole("button", { name: "Clear filters" }).click();
      await row.waitFor();
      expect(
        await ui.page
          .getByRole("navigation", { name: "Main" })
          .getByRole("link", { name: "Messages" })
          .getAttribute("aria-current"),
      ).toBe("page");
      await ui.page.screenshot({ path: join(ARTIFACTS, "console-messages.png"), fullPage: true });
      await row.getByRole("link", { name: "browser-1" }).click();
      await ui.page.getByRole("heading", { name: "browser-1" }).waitFor();
    });

    it("saves quiet hours and keeps them across a reload; creates a key shown once", async () => {
      await ui.page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Settings" })
        .click();
      await ui.page.getByRole("heading", { name: "Quiet hours" }).waitFor();
      await ui.page.getByLabel("Window opens").fill("09:30");
      await ui.page.getByLabel("Window closes").fill("20:15");
      await ui.page.getByRole("button", { name: "Save policy" }).click();
      await expect
        .poll(() => ui.page.getByTestId("settings-save-state").textContent())
        .toContain("Saved");

      await ui.page.reload();
      await ui.page.getByRole("heading", { name: "Quiet hours" }).waitFor();
      expect(await ui.page.getByLabel("Window opens").inputValue()).toBe("09:30");
      expect(await ui.page.getByLabel("Window closes").inputValue()).toBe("20:15");
      const settings = (await (
        await fetch(`${ui.url}/api/settings`, { headers: admin })
      ).json()) as {
        policy: { quietHours: { start: string; end: string } };
      };
      expect(settings.policy.quietHours).toEqual({ start: "09:30", end: "20:15" });

      await ui.page.getByLabel("Key name").fill("checkout-service");
      await ui.page.getByRole("button", { name: "Create key" }).click();
      const secret = ui.page.getByTestId("one-time-secret");
      await secret.waitFor();
      expect(await secret.locator("code").textContent()).toMatch(/^wk_/);
      await ui.page.screenshot({ path: join(ARTIFACTS, "console-settings.png"), fullPage: true });
    });

    it("simulates the draft from the editor and lights the path up", async () => {
      await ui.page.goto(`${ui.url}/journeys/${JOURNEY.id}`);
      await ui.page.getByTestId("node-sms1").waitFor();
      // Live counts: browser-1 waits on wait2, and the canvas says so.
      await expect
        .poll(() => ui.page.getByTestId("node-wait2").locator(".wm-live-count").textContent(), {
          timeout: 15_000,
        })
        .toBe("1 here");
      await ui.page.getByRole("button", { name: "Simulate" }).click();
      const drawer = ui.page.getByRole("complementary", { name: "Simulate" });
      expect(await drawer.getByLabel("Event 1 name").inputValue()).toBe("cart_abandoned");
      await drawer.getByRole("button", { name: "Run simulation" }).click();
      const steps = drawer.getByTestId("sim-steps");
      await steps.waitFor();
      const types = await steps
        .locator(".tl-row")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-type")));
      expect(types[0]).toBe("entered");
      // Sent now, or deferred to the window's opening: either way the engine says why.
      expect(types.some((t) => t === "sent" || t === "deferred")).toBe(true);
      expect(
        await ui.page.locator(".react-flow__node.wm-visited, .react-flow__node.wm-current").count(),
      ).toBeGreaterThanOrEqual(3);
      expect(await ui.page.locator(".react-flow__edge.is-visited").count()).toBeGreaterThanOrEqual(
        2,
      );
      await ui.page.screenshot({ path: join(ARTIFACTS, "console-simulate.png") });

      // Closing the drawer clears the path.
      await drawer.getByRole("button", { name: "Close the simulator" }).click();
      await expect.poll(() => ui.page.locator(".react-flow__node.wm-dim").count()).toBe(0);
      expect(ui.errors).toEqual([]);
    });
  },
);
