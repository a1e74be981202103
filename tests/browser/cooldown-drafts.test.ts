import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";

/**
 * Issue 16 in Chromium against the real server. (1) The issue's journey — SMS, branch "no",
 * Cooldown 7 days, SMS — imported as written before cooldowns said whom they hold: the second
 * SMS carries the `cooldown_blocks_own_send` warning, the cooldown says in words that it holds
 * this journey too; switching it to "Other journeys only" clears the warning. (2) A branch
 * condition with a value and no field yet saves ("Saved", the issue painted on the branch) and
 * is still there after a reload; publishing stays blocked. (3) Leaving with an edit the server
 * did not take asks first, and staying keeps the edit.
 */
const sms = (id: string, template: string) => ({
  id,
  type: "send",
  send: { channel: "sms", category: "promotional", template },
});
const issueJourney = {
  format: "waymark/journey@1",
  id: "cool-winback",
  name: "Cooldown win-back",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "lapsed" } },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "P1D" } },
    sms("sms1", "We miss you"),
    {
      id: "check",
      type: "branch",
      branch: { kind: "engagement", node: "sms1", signal: "clicked", within: "P2D" },
    },
    { id: "cool", type: "cooldown", cooldown: { duration: "P7D", scope: "promotional" } },
    sms("sms2", "Still here: 20% off today"),
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms1" },
    { from: "sms1", to: "check" },
    { from: "check", to: "done", path: "yes" },
    { from: "check", to: "cool", path: "no" },
    { from: "cool", to: "sms2" },
    { from: "sms2", to: "done" },
  ],
};

describe.runIf(chromiumPath)("cooldowns and drafts in Chromium", () => {
  const ui = signedInConsole();
  const { inspector, node, select, saved, draft, create } = ui;

  it("warns on the send an all-journeys cooldown would suppress, and says whom the cooldown holds", async () => {
    await create(issueJourney);
    await ui.page.goto(`${ui.url}/journeys/cool-winback`);
    await node("sms2").waitFor();

    // The warning is painted on the second SMS, and listed with its words.
    await expect
      .poll(() => node("sms2").getAttribute("data-issues"))
      .toBe("cooldown_blocks_own_send");
    await expect.poll(() => node("sms1").getAttribute("data-issues")).toBe("");
    const listed = ui.page
      .getByRole("region", { name: "Validation issues" })
      .getByRole("button", { name: /cooldown_blocks_own_send/ });
    await expect
      .poll(() => listed.textContent())
      .toMatch(/cooldown "cool" holds every journey's promotional sends \(this one's included\)/);

    // The card and the form say whom it holds back and for how long.
    await expect
      .poll(() => node("cool").locator(".wm-node-summary").textContent())
      .toBe("Holds every journey's promotional sends for 7 days, this one's included");
    await select("cool");
    const holds = inspector().getByLabel("Holds back");
    expect(await holds.inputValue()).toBe("all_journeys");
    await expect
      .poll(() => inspector().getByTestId("cooldown-summary").textContent())
      .toBe("Holds every journey's promotional sends for 7 days, this one's included.");
    await ui.page.screenshot({ path: join(ARTIFACTS, "cooldown-warning.png") });

    // Only other journeys: the warning goes, the words change, the draft says so.
    await holds.selectOption("other_journeys");
    await expect.poll(() => node("sms2").getAttribute("data-issues")).toBe("");
    await expect
      .poll(() => inspector().getByTestId("cooldown-summary").textContent())
      .toBe("Holds other journeys' promotional sends for 7 days.");
    await expect
      .poll(() => node("cool").locator(".wm-node-summary").textContent())
      .toBe("Holds other journeys' promotional sends for 7 days");
    await saved();
    await ui.page.screenshot({ path: join(ARTIFACTS, "cooldown-other-journeys.png") });
    const doc = await draft("cool-winback");
    expect(doc.nodes.find((n) => n.id === "cool")).toMatchObject({
      cooldown: { duration: "P7D", scope: "promotional", applies: "other_journeys" },
    });
    expect(ui.errors).toEqual([]);
  });

  it("saves a half-filled branch condition as typed: Saved, the issue painted, still there after a reload", async () => {
    await select("check");
    await inspector().getByLabel("Branch type").selectOption("condition");
    await inspector().getByRole("button", { name: "+ Add condition" }).click();
    await inspector().getByLabel("Conditions 1 value").fill("gold");
    await saved();
    // The issue is painted on the branch and listed; publishing is what it blocks.
    await expect.poll(() => node("check").getAttribute("data-issues")).toMatch(/schema/);
    await expect
      .poll(() => ui.page.getByRole("region", { name: "Validation issues" }).textContent())
      .toMatch(/nodes\.3\.branch\.conditions\.0\.field/);
    expect(await ui.page.getByRole("button", { name: "Publish" }).isDisabled()).toBe(true);
    await ui.page.screenshot({ path: join(ARTIFACTS, "draft-saved-invalid.png") });

    const stored = await draft("cool-winback");
    expect(stored.nodes.find((n) => n.id === "check")).toMatchObject({
      branch: { kind: "condition", conditions: [{ field: "", op: "eq", value: "gold" }] },
    });

    await ui.page.reload();
    await node("check").waitFor();
    await expect.poll(() => node("check").getAttribute("data-issues")).toMatch(/schema/);
    await select("check");
    expect(await inspector().getByLabel("Conditions 1 value").inputValue()).toBe("gold");
    expect(await inspector().getByLabel("Conditions 1 field").inputValue()).toBe("");
    expect(await ui.page.getByTestId("save-state").textContent()).toBe("Saved");
    expect(ui.errors).toEqual([]);
  });

  it("asks before leaving with an edit the server has not taken, and staying keeps it", {
    timeout: 60_000,
  }, async () => {
    // The server goes away for this journey's saves: the next edit cannot be stored.
    const drafts = `${ui.url}/api/journeys/cool-winback`;
    await ui.page.route(drafts, (route) =>
      route.request().method() === "PUT" ? route.abort("connectionrefused") : route.continue(),
    );
    await inspector().getByLabel("Conditions 1 field").fill("tier");
    await expect
      .poll(() => ui.page.getByTestId("save-state").textContent(), { timeout: 10_000 })
      .toMatch(/^not saved/);

    await ui.page.getByRole("link", { name: "Journeys", exact: true }).click();
    const ask = ui.page.getByRole("dialog", { name: "Leave without saving?" });
    await ask.waitFor();
    await ui.page.screenshot({ path: join(ARTIFACTS, "draft-leave-unsaved.png") });
    await ask.getByRole("button", { name: "Stay and keep editing" }).click();
    await expect.poll(() => ask.count()).toBe(0);
    expect(new URL(ui.page.url()).pathname).toBe("/journeys/cool-winback");
    expect(await inspector().getByLabel("Conditions 1 field").inputValue()).toBe("tier");

    // The server is back: the next edit saves, and leaving no longer asks.
    await ui.page.unroute(drafts);
    await inspector().getByLabel("Conditions 1 value").fill("platinum");
    await saved();
    await ui.page.getByRole("link", { name: "Journeys", exact: true }).click();
    await ui.page.waitForURL(`${ui.url}/`);
    expect(await ui.page.getByRole("dialog", { name: "Leave without saving?" }).count()).toBe(0);
    const stored = await draft("cool-winback");
    expect(stored.nodes.find((n) => n.id === "check")).toMatchObject({
      branch: { conditions: [{ field: "tier", op: "eq", value: "platinum" }] },
    });
    // The network failure was the point of this test; nothing else went wrong.
    expect(
      ui.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to fetch|not saved/.test(e)),
    ).toEqual([]);
  });

  it("asks on the back button too, and leaving drops the unsaved edit", {
    timeout: 60_000,
  }, async () => {
    // In-app from the list, so Back is a same-page history step (popstate), not a page load.
    await ui.page.getByRole("link", { name: "Cooldown win-back", exact: true }).click();
    await node("check").waitFor();
    const drafts = `${ui.url}/api/journeys/cool-winback`;
    await ui.page.route(drafts, (route) =>
      route.request().method() === "PUT" ? route.abort("connectionrefused") : route.continue(),
    );
    await select("check");
    await inspector().getByLabel("Conditions 1 value").fill("silver");
    await expect
      .poll(() => ui.page.getByTestId("save-state").textContent(), { timeout: 10_000 })
      .toMatch(/^not saved/);
    await ui.page.goBack();
    const ask = ui.page.getByRole("dialog", { name: "Leave without saving?" });
    await ask.waitFor();
    expect(new URL(ui.page.url()).pathname).toBe("/journeys/cool-winback");
    await ask.getByRole("button", { name: "Leave and lose the change" }).click();
    await ui.page.waitForURL(`${ui.url}/`);
    await ui.page.unroute(drafts);
    const stored = await draft("cool-winback");
    expect(stored.nodes.find((n) => n.id === "check")).toMatchObject({
      branch: { conditions: [{ field: "tier", op: "eq", value: "platinum" }] },
    });
  });
});
