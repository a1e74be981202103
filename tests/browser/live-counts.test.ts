import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { boxes, expectFittedOn, overlaps, settledCanvas } from "../helpers/canvas.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { middayZone, until } from "../helpers/time.ts";

/**
 * Issue 16 "Live counts" in Chromium against the real server (demo seed, its own ticker,
 * console provider). A journey is published from the editor (the dialog says v1, not the
 * version's row id), contacts are driven through it — sent, suppressed (no consent, frequency
 * cap), deferred (quiet hours) — and each node's "today" counts and the hover reasons on the
 * canvas are checked against the stored messages and timeline read through the API. Then the
 * canvas fixes: a dropped node shows in the minimap, auto-layout refits the view, a new event
 * trigger does not default to message.delivered, the seeded win-back's cards do not overlap.
 */
const JOURNEY = {
  format: "waymark/journey@1",
  id: "live-counts",
  name: "Flash sale",
  // A contact may come back: the second pass of the capped contact is suppressed by the cap.
  settings: { reentry: { mode: "always" } },
  nodes: [
    {
      id: "start",
      type: "trigger",
      trigger: { kind: "event", event: "flash_sale" },
      position: { x: 0, y: 100 },
    },
    {
      id: "sms1",
      type: "send",
      label: "Flash sale SMS",
      send: { channel: "sms", category: "promotional", template: "Flash sale today only" },
      position: { x: 300, y: 100 },
    },
    {
      id: "check",
      type: "branch",
      label: "Gold member?",
      branch: { kind: "condition", conditions: [{ field: "tier", op: "eq", value: "gold" }] },
      position: { x: 600, y: 100 },
    },
    { id: "gold", type: "exit", position: { x: 900, y: 0 } },
    { id: "done", type: "exit", position: { x: 900, y: 220 } },
  ],
  edges: [
    { from: "start", to: "sms1" },
    { from: "sms1", to: "check" },
    { from: "check", to: "gold", path: "yes" },
    { from: "check", to: "done", path: "no" },
  ],
};

/** A zone where it is 03:00 now: inside quiet hours (sends only 08:00-21:00 local). */
function nightZone(now = new Date()): string {
  const offset = (((3 - now.getUTCHours()) % 24) + 24) % 24;
  const hours = offset > 12 ? offset - 24 : offset;
  return hours === 0 ? "Etc/GMT" : `Etc/GMT${hours > 0 ? "-" : "+"}${Math.abs(hours)}`;
}

interface NodeStats {
  sent: number;
  suppressed: Record<string, number>;
  deferred: Record<string, number>;
}
interface Message {
  nodeId: string;
  contact: string;
}

describe.runIf(chromiumPath)("live counts and canvas fixes in Chromium", () => {
  const ui = signedInConsole({ env: { WAYMARK_TIMEZONE: "UTC" } });
  const { node, select, api, ingest } = ui;
  const identify = (userId: string, zone: string, consent: boolean) =>
    ingest("/v1/identify", {
      userId,
      traits: { phone: "+12025550123", timezone: zone, tier: "silver" },
      ...(consent ? { consent: { sms: { promotional: true } } } : {}),
    });
  const track = (userId: string, n = 1) =>
    ingest("/v1/track", { userId, event: "flash_sale", messageId: `flash-${userId}-${n}` });

  const expectFitted = (count: number) => expectFittedOn(ui.page, count);
  const today = (id: string) => node(id).getByTestId(`today-${id}`);
  const metric = async (id: string, m: string) =>
    Number((await today(id).locator(`[data-metric="${m}"] b`).textContent())?.replace(/,/g, ""));

  it("publishes as v1 and shows per node today's entered, sent, suppressed, deferred, with the reasons on hover, as stored", async () => {
    // One promotional SMS a day per contact, suppressed beyond: the capped contact's second pass.
    const settings = await api<{ policy: Record<string, unknown> }>("/api/settings");
    await api(
      "/api/settings",
      {
        policy: {
          ...settings.policy,
          caps: [
            {
              channel: "sms",
              category: "promotional",
              max: 1,
              window: "P1D",
              onExceed: "suppress",
            },
          ],
        },
      },
      { method: "put" },
    );
    await api("/api/journeys", JOURNEY);
    await ui.page.goto(`${ui.url}/journeys/live-counts`);
    await node("sms1").waitFor();
    // Never published: no "today" rows.
    expect(await ui.page.locator(".wm-today").count()).toBe(0);

    // The demo seed published other versions first: the dialog names the number, not the row id.
    await ui.page.getByRole("button", { name: "Publish", exact: true }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Publish v1" });
    await dialog.waitFor();
    expect(await dialog.textContent()).not.toMatch(/#\d/);
    await dialog.getByRole("button", { name: "Publish v1" }).click();
    await ui.page.getByText("v1 is live.").waitFor();
    const versions = await api<{ versions: { id: number; version: number }[] }>(
      "/api/journeys/live-counts/versions",
    );
    expect(versions.versions.map((v) => v.version)).toEqual([1]);
    // The row id differs from the number, so "v1" above is not an accident of a fresh install.
    expect(versions.versions[0]?.id).not.toBe(1);

    const day = middayZone();
    const night = nightZone();
    for (const u of ["s1", "s2", "s3", "c1"]) await identify(u, day, true);
    for (const u of ["n1", "n2"]) await identify(u, day, false);
    for (const u of ["d1", "d2"]) await identify(u, night, true);
    for (const u of ["s1", "s2", "s3", "c1", "n1", "n2", "d1", "d2"]) await track(u);
    // The capped contact comes back once its first message is stored.
    await until("c1's first message", async () => {
      const r = await api<{ messages: Message[] }>("/api/messages?journey=live-counts");
      return r.messages.some((m) => m.contact === "c1");
    });
    await track("c1", 2);

    const stats = await until(
      "every pass decided at sms1",
      async () => {
        const r = await api<{ nodes: Record<string, NodeStats> }>(
          "/api/journeys/live-counts/stats",
        );
        const s = r.nodes.sms1;
        const suppressed = Object.values(s?.suppressed ?? {}).reduce((a, b) => a + b, 0);
        const deferred = Object.values(s?.deferred ?? {}).reduce((a, b) => a + b, 0);
        return s && s.sent === 4 && suppressed === 3 && deferred === 2 ? r : null;
      },
      30_000,
      250,
    );
    // The stored rows, read back: the outbox per node and the timeline's reasons.
    const { messages } = await api<{ messages: Message[] }>(
      "/api/messages?journey=live-counts&limit=500",
    );
    const sentBy = (id: string) => messages.filter((m) => m.nodeId === id).length;
    expect(sentBy("sms1")).toBe(4);
    expect(stats.nodes.sms1?.suppressed).toEqual({ no_consent: 2, frequency_cap: 1 });
    expect(stats.nodes.sms1?.deferred).toEqual({ quiet_hours: 2 });

    // The canvas: 9 passes reached the trigger and the send (c1 twice), 7 went on to the branch.
    await expect.poll(() => metric("sms1", "sent"), { timeout: 15_000 }).toBe(sentBy("sms1"));
    await expect.poll(() => metric("sms1", "suppressed"), { timeout: 15_000 }).toBe(3);
    expect(await metric("sms1", "deferred")).toBe(2);
    expect(await metric("sms1", "entered")).toBe(9);
    expect(await metric("start", "entered")).toBe(9);
    expect(await metric("check", "entered")).toBe(7);
    expect(await metric("done", "entered")).toBe(7);
    expect(await metric("gold", "entered")).toBe(0);
    // Only sends show sent / suppressed / deferred.
    expect(await today("check").locator("[data-metric]").count()).toBe(1);
    // The deferred contacts wait on the send: "here now" beside the day's counts.
    await expect.poll(() => node("sms1").locator(".wm-live-count").textContent()).toBe("2 here");

    // Hovering shows the reasons, most frequent first, as stored.
    await today("sms1").hover();
    const tip = node("sms1").getByRole("tooltip");
    await tip.waitFor();
    expect(await tip.getByTestId("suppressed-reasons").textContent()).toBe(
      "Suppressed today: no_consent 2, frequency_cap 1",
    );
    expect(await tip.getByTestId("deferred-reasons").textContent()).toBe(
      "Deferred today: quiet_hours 2",
    );
    await ui.page.screenshot({ path: join(ARTIFACTS, "live-counts.png") });

    // No count overlaps a branch label: the branch's "yes"/"no" against its today row and its
    // footer (node id, "here now"), whose boxes keep clear of the labels' strip.
    const labels = await boxes(node("check").locator(".wm-path-label"));
    expect(labels).toHaveLength(2);
    const rows = await boxes(node("check").locator(".wm-today, .wm-node-foot"));
    expect(rows).toHaveLength(2);
    for (const l of labels) for (const r of rows) expect(overlaps(l, r)).toBe(false);
    expect(ui.errors).toEqual([]);
  }, 120_000);

  it("refreshes when the ticker moves contacts: a new pass shows without a reload", async () => {
    await identify("s4", middayZone(), true);
    await track("s4");
    await expect.poll(() => metric("sms1", "sent"), { timeout: 15_000 }).toBe(5);
    expect(await metric("start", "entered")).toBe(10);
  }, 30_000);

  it("shows a dropped node in the minimap and refits the view after auto-layout", async () => {
    const minimapNodes = ui.page.locator(".react-flow__minimap .react-flow__minimap-node");
    await expect.poll(() => minimapNodes.count()).toBe(5);
    await ui.page
      .getByRole("button", { name: "Add Wait" })
      .dragTo(ui.page.locator(".canvas"), { targetPosition: { x: 500, y: 620 } });
    await node("wait1").waitFor();
    // A step only the draft has draws no "today" row: nobody can reach it yet.
    expect(await today("wait1").count()).toBe(0);
    await expect.poll(() => minimapNodes.count()).toBe(6);
    // Drawn inside the minimap's frame, not clipped off it. The new step's warnings grow the
    // issues strip, which moves the minimap: wait for them, then read frame and rects at once.
    await expect.poll(() => node("wait1").getAttribute("data-issues")).toContain("dead_end");
    await ui.page.waitForTimeout(300);
    await ui.page.screenshot({ path: join(ARTIFACTS, "live-counts-minimap.png") });
    const minimap = await ui.page.evaluate(() => {
      const box = (e: Element) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      };
      const svg = document.querySelector(".react-flow__minimap svg");
      return {
        frame: svg ? box(svg) : null,
        rects: [...document.querySelectorAll(".react-flow__minimap-node")].map(box),
      };
    });
    const { frame, rects } = minimap;
    expect(frame).not.toBeNull();
    expect(rects).toHaveLength(6);
    for (const r of rects) {
      const where = `minimap rect ${JSON.stringify(r)} in frame ${JSON.stringify(frame)}`;
      expect(r.width > 0 && r.height > 0, where).toBe(true);
      if (!frame) continue;
      expect(r.x >= frame.x - 1 && r.x + r.width <= frame.x + frame.width + 1, where).toBe(true);
      expect(r.y >= frame.y - 1 && r.y + r.height <= frame.y + frame.height + 1, where).toBe(true);
    }

    // Zoom in (part of the journey out of view), then lay out: the view refits onto the nodes.
    const viewport = ui.page.locator(".react-flow__viewport");
    await ui.page.mouse.move(700, 400);
    await ui.page.mouse.wheel(0, -600);
    await ui.page.waitForTimeout(400);
    await settledCanvas(ui.page);
    const before = await viewport.getAttribute("style");
    await ui.page.getByRole("button", { name: "Auto-layout" }).click();
    await expect.poll(() => viewport.getAttribute("style")).not.toBe(before);
    await vi.waitFor(() => expectFitted(6), { timeout: 8000, interval: 200 });
    await ui.page.screenshot({ path: join(ARTIFACTS, "live-counts-layout.png") });
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("starts a new event trigger empty (not message.delivered), a goal not on the trigger's event; frames a scattered journey after auto-layout", async () => {
    await ui.page.goto(`${ui.url}/`);
    await ui.page.getByRole("button", { name: "New journey" }).first().click();
    await ui.page.getByLabel("Name", { exact: true }).fill("Fresh start");
    await ui.page.getByRole("button", { name: "Create" }).click();
    await ui.page.waitForURL("**/journeys/fresh-start");
    await node("start").waitFor();
    await select("start");
    const inspector = ui.page.getByRole("complementary", { name: "Inspector" });
    await inspector.getByLabel("Trigger type").selectOption("event");
    const event = inspector.getByLabel("Event", { exact: true });
    expect(await event.inputValue()).toBe("");
    await expect.poll(() => node("start").getAttribute("data-issues")).toMatch(/schema/);
    await event.fill("signed_up");

    // Steps dropped far apart, then laid out: the view frames the new layout.
    for (const [label, at] of [
      ["Wait", { x: 60, y: 40 }],
      ["Send", { x: 640, y: 420 }],
      ["Exit", { x: 40, y: 430 }],
    ] as const)
      await ui.page
        .getByRole("button", { name: `Add ${label}` })
        .dragTo(ui.page.locator(".canvas"), { targetPosition: at });
    await node("exit1").waitFor();
    await settledCanvas(ui.page);
    await ui.page.getByRole("button", { name: "Auto-layout" }).click();
    await vi.waitFor(() => expectFitted(4), { timeout: 8000, interval: 200 });

    // Journey settings: a goal switched on does not start as the trigger's own event.
    await ui.page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
    // `has` is matched inside each candidate: a locator not rooted at the inspector.
    const goalSwitch = ui.page.getByRole("switch", { name: "Goal" });
    // The switch's input is drawn as a track: click its label, as a user does.
    await inspector.locator("label.toggle", { has: goalSwitch }).click();
    expect(await goalSwitch.isChecked()).toBe(true);
    const goal = inspector
      .locator(".group", { has: goalSwitch })
      .getByLabel("Event", { exact: true });
    // The journey names no other customer event: empty, for the marketer to fill.
    expect(await goal.inputValue()).toBe("");
    await goal.fill("purchased");
    // An exit rule added next starts on that customer event, not the trigger's own.
    await inspector.getByRole("button", { name: "+ Add exit when" }).click();
    const exitOn = inspector
      .getByRole("group", { name: "Exit when" })
      .getByLabel("Event", { exact: true });
    expect(await exitOn.inputValue()).toBe("purchased");
  }, 60_000);

  it("draws the seeded win-back's cards apart", async () => {
    await ui.page.goto(`${ui.url}/journeys/win-back`);
    await node("end").waitFor();
    await ui.page.waitForTimeout(500);
    const cards = await boxes(ui.page.locator(".react-flow__node"));
    expect(cards.length).toBe(10);
    for (let i = 0; i < cards.length; i++)
      for (let j = i + 1; j < cards.length; j++) {
        const [a, b] = [cards[i], cards[j]];
        if (a && b) expect(overlaps(a, b), `cards ${i} and ${j}`).toBe(false);
      }
    await ui.page.screenshot({ path: join(ARTIFACTS, "live-counts-win-back.png") });
  }, 60_000);
});
