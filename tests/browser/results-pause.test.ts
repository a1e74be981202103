import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { middayZone, until } from "../helpers/time.ts";

/**
 * Issue #16 in Chromium against the real server (its own ticker, console provider): the results
 * page shows a split arm's own numbers only (a send before the split counts for no arm); the
 * Pause button asks what new entries do, and a skipped entry shows on the results page and on
 * the contact.
 */
const ARMS = {
  format: "waymark/journey@1",
  id: "arms-live",
  name: "Arms after a first SMS",
  settings: { goal: { event: "purchased", within: "P7D" } },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
    {
      id: "sms1",
      type: "send",
      label: "Reminder",
      send: { channel: "sms", category: "promotional", template: "Your cart is waiting" },
    },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "PT1S" } },
    {
      id: "split",
      type: "split",
      label: "Offer or holdout",
      split: {
        arms: [
          { name: "offer", percent: 50 },
          { name: "holdout", percent: 50 },
        ],
      },
    },
    {
      id: "sms_offer",
      type: "send",
      label: "Offer",
      send: { channel: "sms", category: "promotional", template: "10% off today" },
    },
    { id: "hold_offer", type: "wait", wait: { kind: "duration", duration: "P1D" } },
    { id: "hold_out", type: "wait", wait: { kind: "duration", duration: "P1D" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "wait1" },
    { from: "wait1", to: "split" },
    { from: "split", to: "sms_offer", path: "offer" },
    { from: "split", to: "hold_out", path: "holdout" },
    { from: "sms_offer", to: "hold_offer" },
    { from: "hold_offer", to: "done" },
    { from: "hold_out", to: "done" },
  ],
};

interface Arm {
  arm: string;
  assigned: number;
  recipients: number;
  sent: number;
}
interface Results {
  sends: { nodeId: string; recipients: number }[];
  splits: { nodeId: string; arms: Arm[] }[];
}

const WELCOME = {
  format: "waymark/journey@1",
  id: "welcome-back",
  name: "Welcome back",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "came_back" } },
    {
      id: "sms",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "Welcome back" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms" },
    { from: "sms", to: "done" },
  ],
};

const USERS = ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"];

describe.runIf(chromiumPath)("results and pause in Chromium", () => {
  const ui = signedInConsole({ env: { WAYMARK_DEMO_SEED: "false" } });

  const { api, ingest } = ui;
  const identify = (userId: string) =>
    ingest("/v1/identify", {
      userId,
      traits: { phone: "+12025550123", timezone: middayZone() },
      consent: { sms: { promotional: true } },
    });

  it("shows each arm's own sends only: the holdout arm has 0 recipients", async () => {
    await api("/api/journeys", ARMS);
    await api("/api/journeys/arms-live/publish", {});
    for (const u of USERS) {
      await identify(u);
      await ingest("/v1/track", { userId: u, event: "cart_abandoned", messageId: `cart-${u}` });
    }
    const results = await until(
      "every contact split and the offer sent",
      async () => {
        const r = await api<Results>("/api/journeys/arms-live/results");
        const arms = r.splits[0]?.arms ?? [];
        const assigned = arms.reduce((n, a) => n + a.assigned, 0);
        const offer = arms.find((a) => a.arm === "offer");
        const sent = r.sends.find((s) => s.nodeId === "sms_offer")?.recipients;
        return assigned === USERS.length && offer && offer.sent === sent ? r : null;
      },
      30_000,
      250,
    );
    const arms = results.splits[0]?.arms ?? [];
    const offer = arms.find((a) => a.arm === "offer");
    const holdout = arms.find((a) => a.arm === "holdout");
    expect(results.sends.find((s) => s.nodeId === "sms1")?.recipients).toBe(USERS.length);
    expect(offer).toMatchObject({ recipients: offer?.assigned, sent: offer?.assigned });
    expect(holdout).toMatchObject({ recipients: 0, sent: 0 });

    await ui.page.goto(`${ui.url}/journeys/arms-live/results`);
    const table = ui.page.getByTestId("split-table");
    await table.waitFor();
    const cells = async (arm: string) =>
      (await table.locator("tbody tr", { hasText: arm }).locator("td").allInnerTexts()).map((t) =>
        t.trim(),
      );
    // Arm, recipients, sent: the page shows what the API counted.
    expect((await cells("holdout")).slice(1, 3)).toEqual(["0", "0"]);
    expect((await cells("offer")).slice(1, 3)).toEqual([
      String(offer?.assigned),
      String(offer?.assigned),
    ]);
    await ui.page.screenshot({ path: join(ARTIFACTS, "results-arms.png"), fullPage: true });
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("asks on Pause what new entries do; a skipped entry is counted on Results and shown on the contact", async () => {
    await api("/api/journeys", WELCOME);
    await api("/api/journeys/welcome-back/publish", {});
    await ui.page.goto(`${ui.url}/journeys/welcome-back`);
    await ui.page.getByRole("button", { name: "Pause", exact: true }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Pause “Welcome back”?" });
    await dialog.waitFor();
    const confirm = dialog.getByRole("button", { name: "Pause journey" });
    // Nothing preselected: the marketer has to choose.
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Skip them/).check();
    expect(await confirm.isEnabled()).toBe(true);
    await dialog.screenshot({ path: join(ARTIFACTS, "pause-dialog.png") });
    await confirm.click();
    await dialog.waitFor({ state: "detached" });
    await ui.page.getByTestId("pause-entries").getByText("new entries are skipped").waitFor();
    expect(
      await api<{ pause: { entries: string } | null }>("/api/journeys/welcome-back"),
    ).toMatchObject({ pause: { entries: "skip", skipped: 0 } });

    // A trigger during the pause: not enrolled, counted, and on the contact's ui.page.
    await ingest("/v1/track", { userId: "r1", event: "came_back", messageId: "back-r1" });
    await ui.page.goto(`${ui.url}/journeys/welcome-back/results`);
    const skipped = ui.page.getByTestId("skipped-entries");
    await skipped.waitFor();
    expect(await skipped.textContent()).toMatch(
      /^1 entry was skipped while the journey was paused/,
    );
    await skipped.screenshot({ path: join(ARTIFACTS, "pause-skipped-results.png") });
    await ui.page.goto(`${ui.url}/contacts/r1`);
    const row = ui.page.getByTestId("skipped-entries").locator("li");
    await row.waitFor();
    expect(await row.textContent()).toContain("Welcome back");
    expect(await row.textContent()).toContain("journey_paused");
    await ui.page.screenshot({
      path: join(ARTIFACTS, "pause-skipped-contact.png"),
      fullPage: true,
    });

    // Resume, then pause with "enter and wait": the trigger enrolls, held at the start.
    await ui.page.goto(`${ui.url}/journeys/welcome-back`);
    await ui.page.getByRole("button", { name: "Resume", exact: true }).click();
    await ui.page.getByRole("button", { name: "Pause", exact: true }).click();
    await dialog.getByLabel(/Enter and wait/).check();
    await dialog.getByRole("button", { name: "Pause journey" }).click();
    await ui.page.getByTestId("pause-entries").getByText("new entries wait").waitFor();
    await ingest("/v1/track", { userId: "r2", event: "came_back", messageId: "back-r2" });
    await ui.page.goto(`${ui.url}/contacts/r2`);
    await ui.page.getByText("held on start: the journey is paused").waitFor();
    expect(ui.errors).toEqual([]);
  }, 60_000);
});
