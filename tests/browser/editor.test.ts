import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type Journey, validate } from "../../engine/index.ts";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";

/**
 * The editor in Chromium against the real server: a marketer builds the cart reminder from an
 * empty canvas with the mouse, sees a validation error on the right node, fixes it and
 * publishes; an engineer exports and re-imports through the UI.
 */
describe.runIf(chromiumPath)("the journey editor in Chromium", () => {
  const ui = signedInConsole({
    page: { viewport: { width: 1440, height: 900 }, acceptDownloads: true },
  });
  const { inspector, node, select, saved, draft } = ui;
  const handle = (nodeId: string, handleId: string) =>
    ui.page.locator(`.react-flow__handle[data-nodeid="${nodeId}"][data-handleid="${handleId}"]`);

  async function center(l: Locator): Promise<{ x: number; y: number }> {
    const box = await l.boundingBox();
    if (!box) throw new Error("element not visible");
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  /** Drags a connection from one handle to another with the mouse, as a user does. */
  async function connect(from: Locator, to: Locator) {
    const a = await center(from);
    const b = await center(to);
    await ui.page.mouse.move(a.x, a.y);
    await ui.page.mouse.down();
    await ui.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await ui.page.mouse.move(b.x, b.y, { steps: 5 });
    await ui.page.mouse.up();
  }

  it("builds the cart reminder with the mouse, shows the missing 'no' edge on the branch, fixes it and publishes", async () => {
    await ui.page.getByRole("button", { name: "New journey" }).first().click();
    await ui.page.getByLabel("Name", { exact: true }).fill("Cart reminder built");
    await ui.page.getByRole("button", { name: "Create" }).click();
    await ui.page.waitForURL("**/journeys/cart-reminder-built");
    await node("start").waitFor();

    // The trigger: entered when a cart is abandoned.
    await select("start");
    await inspector().getByLabel("Trigger type").selectOption("event");
    await inspector().getByLabel("Event", { exact: true }).fill("cart_abandoned");

    // Drag each step from the palette onto the empty canvas, apart from each other.
    await ui.page.getByRole("button", { name: "zoom out" }).click();
    await ui.page.getByRole("button", { name: "zoom out" }).click();
    const canvas = ui.page.locator(".canvas");
    const drops: [string, { x: number; y: number }][] = [
      ["Wait", { x: 130, y: 80 }],
      ["Send", { x: 420, y: 80 }],
      ["Branch", { x: 700, y: 80 }],
      ["Cooldown", { x: 130, y: 470 }],
      ["Exit", { x: 420, y: 470 }],
    ];
    for (const [label, at] of drops) {
      await ui.page
        .getByRole("button", { name: `Add ${label}` })
        .dragTo(canvas, { targetPosition: at });
    }
    for (const id of ["wait1", "sms1", "branch1", "cooldown1", "exit1"]) await node(id).waitFor();

    // Connect by dragging handle to handle; leave the branch's "no" unconnected for now.
    await connect(handle("start", "out"), handle("wait1", "in"));
    await connect(handle("wait1", "out"), handle("sms1", "in"));
    await connect(handle("sms1", "out"), handle("branch1", "in"));
    await connect(handle("branch1", "yes"), handle("exit1", "in"));
    await connect(handle("cooldown1", "out"), handle("exit1", "in"));
    await expect.poll(() => ui.page.locator(".react-flow__edge").count()).toBe(5);

    // Forms: one hour's wait, the message with its live SMS preview.
    await select("wait1");
    await inspector().getByLabel("Wait type").selectOption("duration");
    await inspector().getByLabel("Duration", { exact: true }).fill("PT1H");
    await expect.poll(() => inspector().getByText("PT1H = 1 hour").count()).toBe(1);

    await select("sms1");
    await inspector().getByLabel("Category").selectOption("promotional");
    await inspector().getByLabel("Message").fill("Hi {{ user.firstName }}, your cart is waiting");
    const body = inspector().getByTestId("sms-body");
    await expect
      .poll(() => body.textContent())
      .toBe("Hi Alex, your cart is waiting\nReply STOP to opt out");
    const stats = inspector().getByTestId("sms-stats");
    expect(await stats.textContent()).toContain("GSM-7");
    await inspector()
      .getByLabel("SMS preview")
      .screenshot({ path: join(ARTIFACTS, "editor-sms-preview.png") });
    // A Chinese reader gets the Chinese opt-out line, and the message turns UCS-2.
    await inspector().getByLabel("Preview locale").selectOption("zh-CN");
    await expect.poll(() => body.textContent()).toBe("Hi 小美, your cart is waiting 回TD退订");
    expect(await stats.textContent()).toContain("UCS-2");

    // The branch watches the send for a click within two days.
    await select("branch1");
    await inspector().getByLabel("Branch type").selectOption("engagement");
    await inspector().getByLabel("Send node").selectOption("sms1");
    await inspector().getByLabel("Signal").selectOption("opened");
    await inspector().getByLabel("Within", { exact: true }).fill("P2D");

    // The missing "no" edge is painted on the branch, listed, and blocks publishing.
    await expect
      .poll(() => node("branch1").getAttribute("data-issues"))
      .toContain("branch_missing_path");
    await expect.poll(() => node("branch1").locator(".wm-issue-badge").textContent()).toBe("1");
    const publish = ui.page.getByRole("button", { name: "Publish" });
    expect(await publish.isDisabled()).toBe(true);
    const issues = ui.page.getByRole("region", { name: "Validation issues" });
    await issues.getByRole("button", { name: /branch1.*no/ }).waitFor();
    await ui.page.screenshot({ path: join(ARTIFACTS, "editor-validation-error.png") });

    // Clicking the issue selects its node.
    await ui.page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
    await issues
      .getByRole("button", { name: /branch1/ })
      .first()
      .click();
    await inspector().getByText("branch1", { exact: true }).waitFor();

    // The issue zoomed onto the branch; fit the journey again to reach the cooldown.
    await ui.page.getByRole("button", { name: "fit view" }).click();
    await ui.page.waitForTimeout(400);
    await connect(handle("branch1", "no"), handle("cooldown1", "in"));
    await expect.poll(() => node("branch1").getAttribute("data-issues")).toBe("");
    await expect.poll(() => publish.isDisabled()).toBe(false);

    // A wider window for the README screenshot: the laid-out journey with the SMS step open.
    await select("sms1");
    await ui.page.setViewportSize({ width: 1680, height: 1050 });
    await ui.page.getByRole("button", { name: "Auto-layout" }).click();
    await ui.page.waitForTimeout(500);
    await saved();
    await ui.page.screenshot({ path: join(ARTIFACTS, "editor.png") });
    await ui.page.setViewportSize({ width: 1440, height: 900 });

    // The saved draft is the cart reminder, and the engine finds nothing wrong with it.
    const doc = await draft("cart-reminder-built");
    expect(validate(doc).filter((i) => i.severity === "error")).toEqual([]);
    expect(doc.nodes.map((n) => n.type)).toEqual([
      "trigger",
      "wait",
      "send",
      "branch",
      "cooldown",
      "exit",
    ]);
    expect(doc.edges).toEqual(
      expect.arrayContaining([
        { from: "start", to: "wait1" },
        { from: "branch1", to: "exit1", path: "yes" },
        { from: "branch1", to: "cooldown1", path: "no" },
      ]),
    );
    expect(doc.nodes.find((n) => n.id === "sms1")).toMatchObject({
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, your cart is waiting",
      },
    });

    // Publish: review, confirm, live; then pause and resume.
    await publish.click();
    const dialog = ui.page.getByRole("dialog", { name: "Publish v1" });
    await dialog.getByText("sms1").waitFor();
    await dialog.getByRole("button", { name: "Publish v1" }).click();
    await ui.page.getByRole("status").getByText("v1 is live.").waitFor();
    await ui.page.locator(".editor-title .badge-live").waitFor();
    await ui.page.getByRole("button", { name: "Pause", exact: true }).click();
    // Pausing asks what new entries do (tests/browser/results-pause.test.ts covers the choice).
    const pauseDialog = ui.page.getByRole("dialog", { name: /^Pause / });
    await pauseDialog.getByLabel(/Enter and wait/).check();
    await pauseDialog.getByRole("button", { name: "Pause journey" }).click();
    await ui.page.locator(".editor-title .badge-paused").waitFor();
    await ui.page.getByRole("button", { name: "Resume" }).click();
    await ui.page.locator(".editor-title .badge-live").waitFor();
    expect(ui.errors).toEqual([]);
  });

  it("undoes, redoes, copies, pastes and deletes steps from the keyboard", async () => {
    await ui.page.goto(`${ui.url}/journeys/cart-reminder-built`);
    await node("wait1").waitFor();
    await select("wait1");
    const mod = process.platform === "darwin" ? "Meta" : "Control";
    await ui.page.keyboard.press(`${mod}+c`);
    await ui.page.keyboard.press(`${mod}+v`);
    await node("wait2").waitFor();
    await ui.page.keyboard.press("Delete");
    await expect.poll(() => node("wait2").count()).toBe(0);
    await ui.page.keyboard.press(`${mod}+z`);
    await node("wait2").waitFor();
    await ui.page.keyboard.press(`${mod}+z`);
    await expect.poll(() => node("wait2").count()).toBe(0);
    await ui.page.keyboard.press(`${mod}+Shift+z`);
    await node("wait2").waitFor();
    // Click-to-add chains after the selected step: a wait after the pasted wait.
    await select("wait2");
    await ui.page.getByRole("button", { name: "Add Exit" }).click();
    await node("exit2").waitFor();
    await expect
      .poll(async () => (await draft("cart-reminder-built")).edges)
      .toContainEqual({ from: "wait2", to: "exit2" });
    expect(ui.errors).toEqual([]);
  });

  it("exports through the UI, and the download parses and re-imports; invalid imports list their issues", async () => {
    await ui.page.goto(ui.url);
    const row = ui.page.locator('tr[data-journey="cart-reminder-built"]');
    const [download] = await Promise.all([
      ui.page.waitForEvent("download"),
      row.getByRole("link", { name: "Export Cart reminder built" }).click(),
    ]);
    const path = await download.path();
    const text = readFileSync(path, "utf8");
    const exported = JSON.parse(text) as Journey;
    expect(exported.id).toBe("cart-reminder-built");
    expect(validate(exported).filter((i) => i.severity === "error")).toEqual([]);

    // Re-import under a new id, through the file input.
    const copy = { ...exported, id: "cart-reminder-reimported", name: "Cart reminder reimported" };
    await ui.page.getByRole("button", { name: "Import JSON" }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Import a journey" });
    await dialog.getByLabel("JSON file").setInputFiles({
      name: "cart.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(copy)),
    });
    await expect
      .poll(() => dialog.getByLabel("Or paste the JSON").inputValue())
      .toContain("cart-reminder-reimported");
    await dialog.getByRole("button", { name: "Import", exact: true }).click();
    await dialog
      .getByRole("status")
      .filter({ hasText: "Imported cart-reminder-reimported" })
      .waitFor();
    await ui.page.locator('tr[data-journey="cart-reminder-reimported"]').waitFor();

    // A broken document: the issues come back with their paths.
    const broken = {
      format: "waymark/journey@1",
      id: "broken",
      name: "Broken",
      nodes: [{ id: "w", type: "wait", wait: { kind: "duration", duration: "soon" } }],
      edges: [],
    };
    await dialog.getByLabel("Or paste the JSON").fill(JSON.stringify(broken));
    await dialog.getByRole("button", { name: "Import", exact: true }).click();
    await dialog.locator("code", { hasText: "nodes.0.wait.duration" }).waitFor();
    await ui.page.screenshot({ path: join(ARTIFACTS, "import-issues.png") });
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // The re-imported journey opens in the editor with the same steps.
    await ui.page.getByRole("link", { name: "Cart reminder reimported", exact: true }).click();
    await node("branch1").waitFor();
    expect(await ui.page.locator(".react-flow__edge").count()).toBe(exported.edges.length);
    expect(ui.errors).toEqual([]);
  });

  it("opens a seeded example laid out for display without rewriting its draft", async () => {
    const before = await draft("win-back");
    await ui.page.goto(`${ui.url}/journeys/win-back`);
    for (const n of before.nodes) await node(n.id).waitFor();
    expect(await ui.page.locator(".react-flow__edge").count()).toBe(before.edges.length);
    await ui.page.waitForTimeout(1500);
    await ui.page.screenshot({ path: join(ARTIFACTS, "editor-example.png") });
    expect(await ui.page.getByTestId("save-state").textContent()).toBe("Saved");
    expect(await draft("win-back")).toEqual(before);
    expect(ui.errors).toEqual([]);
  });
});
