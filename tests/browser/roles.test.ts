import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, signIn, watchErrors } from "../helpers/browser.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Issue #16, everyday console basics, in Chromium against the real server: a support operator
 * sees no Publish, Pause, New or Import, and the editor opens read-only (no palette, inspector
 * fields disabled, nothing saved); an admin changes an operator's role in Settings → Operators.
 */
describe.runIf(chromiumPath)("role-aware console in Chromium", () => {
  let server: Started;
  let browser: Browser;
  let admin: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startWaymark({ WAYMARK_DATA_DIR: tempDir(), WAYMARK_DEMO_SEED: "false" }),
      launchBrowser(),
    ]);
    admin = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = watchErrors(admin);
    await signIn(admin, server.url, server.adminPassword ?? "");
    errors.length = 0;
    // A live journey, so there would be a Pause to show.
    await api("/api/journeys", cartReminder("cart-live"));
    await api("/api/journeys/cart-live/publish", {});
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function api<T>(path: string, body?: unknown, method = "post"): Promise<T> {
    const url = `${server.url}${path}`;
    const res =
      body === undefined
        ? await admin.request.get(url)
        : method === "put"
          ? await admin.request.put(url, { data: body })
          : await admin.request.post(url, { data: body });
    expect([200, 201], `${path}: ${await res.text()}`).toContain(res.status());
    return (await res.json()) as T;
  }

  /** A new operator, signed in in a context of its own (its one-time password replaced). */
  async function operator(
    role: string,
  ): Promise<{ page: Page; context: BrowserContext; email: string }> {
    const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const { password } = await api<{ password: string }>("/api/operators", { email, role });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("One-time password").fill(password);
    await page.getByLabel("New password (12+ characters)").fill(`${password}-own`);
    await page.getByRole("button", { name: "Save password" }).click();
    await page.getByRole("heading", { name: "Journeys", exact: true }).waitFor();
    return { page, context, email };
  }

  it("support: no New or Import on the list; the editor is read-only with no Publish or Pause", async () => {
    const { page, context } = await operator("support");
    const pageErrors = watchErrors(page);
    const row = page.locator('[data-journey="cart-live"]');
    await row.waitFor();
    const head = page.locator(".page-head");
    expect(await head.getByRole("button", { name: "New journey" }).count()).toBe(0);
    expect(await head.getByRole("button", { name: "Import JSON" }).count()).toBe(0);
    expect(await row.getByRole("button", { name: /Duplicate/ }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "roles-support-journeys.png") });

    // Any PUT would be an autosave: a read-only editor makes none.
    const writes: string[] = [];
    page.on("request", (r) => {
      if (r.method() !== "GET") writes.push(`${r.method()} ${r.url()}`);
    });
    await row.getByRole("link", { name: "Cart reminder (test)" }).click();
    const toolbar = page.getByRole("toolbar", { name: "Editor" });
    await toolbar.getByRole("button", { name: "Simulate" }).waitFor();
    await page.getByTestId("read-only").waitFor();
    expect(await toolbar.getByRole("button", { name: "Publish" }).count()).toBe(0);
    expect(await toolbar.getByRole("button", { name: "Pause", exact: true }).count()).toBe(0);
    expect(await toolbar.getByRole("button", { name: "Auto-layout" }).count()).toBe(0);
    expect(await toolbar.getByRole("button", { name: "Undo" }).count()).toBe(0);
    await page.getByTestId("palette-read-only").waitFor();
    expect(await page.locator(".palette:not(.palette-off)").count()).toBe(0);

    // Selecting a step shows its form, every field disabled.
    await page.getByTestId("node-sms1").locator(".wm-node-title").click();
    const inspector = page.getByRole("complementary", { name: "Inspector" });
    await inspector.getByText("sms1", { exact: true }).waitFor();
    const fields = inspector.locator("input, select, textarea");
    expect(await fields.count()).toBeGreaterThan(0);
    const enabled = await fields.evaluateAll(
      (els) => els.filter((e) => !(e as HTMLInputElement).matches(":disabled")).length,
    );
    expect(enabled).toBe(0);
    // Delete on the selected node removes nothing; dragging moves nothing.
    await page.keyboard.press("Delete");
    await page.getByTestId("node-sms1").waitFor();
    // A drag pans the view (the node cannot be moved): the step keeps its place beside the trigger.
    const offset = async () => {
      const [a, b] = await Promise.all([
        page.getByTestId("node-sms1").boundingBox(),
        page.getByTestId("node-start").boundingBox(),
      ]);
      if (!a || !b) throw new Error("node not visible");
      return { box: a, dx: Math.round(a.x - b.x), dy: Math.round(a.y - b.y) };
    };
    /** The offset once the view has stopped moving: the first fit (and the layout of a journey
     * without positions) can still be zooming when the inspector opens on a busy machine. */
    const settledOffset = async () => {
      let last = await offset();
      for (let same = 0, i = 0; same < 3 && i < 40; i++) {
        await page.waitForTimeout(150);
        const next = await offset();
        same = next.dx === last.dx && next.dy === last.dy ? same + 1 : 0;
        last = next;
      }
      return last;
    };
    const before = await settledOffset();
    await page.mouse.move(before.box.x + before.box.width / 2, before.box.y + 10);
    await page.mouse.down();
    await page.mouse.move(before.box.x + before.box.width / 2 + 150, before.box.y + 120, {
      steps: 8,
    });
    await page.mouse.up();
    const after = await settledOffset();
    expect({ dx: after.dx, dy: after.dy }).toEqual({ dx: before.dx, dy: before.dy });
    await page.waitForTimeout(1500); // past the autosave delay (700 ms)
    expect(writes.filter((w) => w.startsWith("PUT"))).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "roles-support-editor.png") });
    // Audiences: support estimates and previews, never saves.
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Audiences" })
      .click();
    await page.getByRole("heading", { name: "Audiences", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "New audience" }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it("admin: changes a marketer's role in Settings → Operators; the marketer's open console follows", async () => {
    const marketer = await operator("marketer");
    await marketer.page.getByRole("button", { name: "New journey" }).first().waitFor();

    await admin
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Settings" })
      .click();
    const picker = admin.getByLabel(`Role of ${marketer.email}`);
    await picker.waitFor();
    await picker.selectOption("support");
    await admin.getByRole("button", { name: "Make support" }).click();
    await expect
      .poll(() => admin.getByTestId("operators-notice").textContent())
      .toContain(`${marketer.email} is now support`);
    expect(await picker.inputValue()).toBe("support");
    await admin
      .getByRole("region", { name: "Operators" })
      .screenshot({ path: join(ARTIFACTS, "roles-admin-operators.png") });
    // The audit log says who changed whose role (it loads with the page).
    await admin.reload();
    const audit = admin.getByRole("region", { name: "Audit log" });
    await audit.getByText(`Made ${marketer.email} support (was marketer)`).waitFor();
    await audit.screenshot({ path: join(ARTIFACTS, "roles-admin-audit.png") });

    // The marketer's open tab, not reloaded: their next click is refused as support, and the
    // console re-reads the role, so the controls support may not use go away.
    await marketer.page.locator('[data-journey="cart-live"]').waitFor();
    await marketer.page.getByRole("button", { name: "Duplicate Cart reminder (test)" }).click();
    await expect
      .poll(() => marketer.page.getByRole("button", { name: "New journey" }).count())
      .toBe(0);
    expect(await marketer.page.getByText(/· support/).count()).toBe(1);
    expect(await marketer.page.getByRole("button", { name: /^Duplicate/ }).count()).toBe(0);
    await marketer.page.screenshot({ path: join(ARTIFACTS, "roles-demoted-marketer.png") });
    await marketer.context.close();

    // Own row: no picker (the server refuses self-demotion too).
    const me = await api<{ operator: { id: number } }>("/api/me");
    expect(me.operator.id).toBeGreaterThan(0);
    expect(await admin.getByLabel("Role of admin@waymark.local").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);
});
