import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";

/**
 * Issue 15's proof node in Chromium against the real server: a marketer adds "Update contact"
 * from the palette after the trigger, makes it count win-back attempts, finishes the path with
 * an exit, sees the draft saved with no issues, and the simulator says what it wrote.
 */
const journey = {
  format: "waymark/journey@1",
  id: "count-winback",
  name: "Counting win-back",
  nodes: [{ id: "start", type: "trigger", trigger: { kind: "event", event: "lapsed" } }],
  edges: [],
};

describe.runIf(chromiumPath)("the update contact node in Chromium", () => {
  const ui = signedInConsole();
  const { inspector, node, select, saved, draft, create } = ui;

  it("adds it from the palette, fills it in, saves it, and the simulator shows the write", {
    timeout: 60_000,
  }, async () => {
    await create(journey);
    await ui.page.goto(`${ui.url}/journeys/count-winback`);
    await node("start").waitFor();

    // Selected trigger + palette click: the new step is added after it, connected.
    await select("start");
    await ui.page.getByRole("button", { name: "Add Update contact" }).click();
    await node("update1").waitFor();
    await inspector().getByText("update1", { exact: true }).waitFor();
    // A fresh step asks for its attribute: the issue is painted until it is named.
    await expect
      .poll(() => node("update1").getAttribute("data-issues"))
      .toMatch(/bad_attribute_name/);

    await inspector().getByLabel("Update type").selectOption("increment");
    await inspector().getByLabel("Attribute").fill("winback_attempts");
    await inspector().getByLabel("Add").fill("1");
    await expect
      .poll(() => node("update1").locator(".wm-node-summary").textContent())
      .toBe("winback_attempts +1");
    await expect
      .poll(() => inspector().getByTestId("update-summary").textContent())
      .toMatch(/^Adds 1 to winback_attempts; a contact without it starts from 0/);

    // Finish the path: an exit after the update, added the same way.
    await ui.page.getByRole("button", { name: "Add Exit" }).click();
    await node("exit1").waitFor();
    await saved();
    await expect.poll(() => node("update1").getAttribute("data-issues")).toBe("");
    await select("update1");
    await ui.page.screenshot({ path: join(ARTIFACTS, "update-node-inspector.png") });

    const doc = await draft("count-winback");
    expect(doc.nodes.find((n) => n.id === "update1")).toMatchObject({
      type: "update",
      update: { kind: "increment", attribute: "winback_attempts", by: 1 },
    });
    expect(doc.edges).toEqual(
      expect.arrayContaining([
        { from: "start", to: "update1" },
        { from: "update1", to: "exit1" },
      ]),
    );

    // The simulator runs the draft: the write is a step of its own, in words.
    await ui.page.getByRole("button", { name: "Simulate" }).click();
    const drawer = ui.page.getByRole("complementary", { name: "Simulate" });
    expect(await drawer.getByLabel("Event 1 name").inputValue()).toBe("lapsed");
    await drawer.getByRole("button", { name: "Run simulation" }).click();
    const updated = drawer.getByTestId("sim-steps").locator('.tl-row[data-type="updated"]');
    await updated.waitFor();
    expect(await updated.locator(".tl-type").textContent()).toBe("Updated");
    expect(await updated.locator(".tl-detail").textContent()).toMatch(
      /^updated winback_attempts 0 → 1/,
    );
    await ui.page.screenshot({ path: join(ARTIFACTS, "update-node-simulated.png") });
    expect(ui.errors).toEqual([]);
  });
});
