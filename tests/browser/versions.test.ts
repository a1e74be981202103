import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Journey } from "../../engine/format/journey.ts";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { runCli } from "../helpers/server-process.ts";

/**
 * Versions and safe editing in Chromium against the real server, as a marketer works: publish
 * v1, users arrive, edit, publish v2 moving them, look at v1 read-only, compare v1 with v2,
 * restore v1 as the draft and publish it as v3 — reading the header's draft-vs-live line at
 * every step — then import a file onto the live journey: the console shows the diff and asks,
 * and nothing changes until the marketer chooses.
 */
const JOURNEY: Journey = {
  format: "waymark/journey@1",
  id: "versions-demo",
  name: "Cart reminder (versions)",
  nodes: [
    {
      id: "start",
      type: "trigger",
      trigger: { kind: "event", event: "cart_abandoned" },
      position: { x: 0, y: 80 },
    },
    {
      id: "wait1",
      type: "wait",
      wait: { kind: "duration", duration: "PT1H" },
      position: { x: 300, y: 80 },
    },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, your cart is waiting",
      },
      position: { x: 600, y: 80 },
    },
    { id: "done", type: "exit", position: { x: 900, y: 80 } },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};
const ID = JOURNEY.id;

describe.runIf(chromiumPath)("versions, compare, revert and safe import in Chromium", () => {
  let admin: Record<string, string>;
  let ingest: Record<string, string>;
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false" },
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
    page: { viewport: { width: 1600, height: 960 } },
  });
  const { node, inspector, saved, select } = ui;

  beforeAll(async () => {
    const created = await fetch(`${ui.url}/api/journeys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify(JOURNEY),
    });
    expect(created.status).toBe(201);
  });

  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${ui.url}${path}`, { headers: admin })).json()) as T;
  const header = () => ui.page.getByTestId("draft-state");
  const expectHeader = (text: string) =>
    expect.poll(() => header().textContent(), { timeout: 10_000 }).toBe(text);
  const versions = () => ui.page.getByRole("complementary", { name: "Versions" });
  const shot = (name: string) =>
    ui.page.screenshot({ path: join(ARTIFACTS, `versions-${name}.png`) });

  async function enter(user: string) {
    for (const [path, body] of [
      [
        "/v1/identify",
        {
          userId: user,
          traits: { firstName: user, timezone: "Asia/Shanghai" },
          consent: { sms: { promotional: true } },
        },
      ],
      ["/v1/track", { userId: user, event: "cart_abandoned", messageId: `${user}-cart` }],
    ] as const) {
      const res = await fetch(`${ui.url}${path}`, {
        method: "POST",
        headers: ingest,
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    }
  }

  it("publishes v1, then shows 'Draft = live v1' and the users on the live version", async () => {
    await ui.page.goto(`${ui.url}/journeys/${ID}`);
    await node("sms1").waitFor();
    await expectHeader("Draft · not published yet");
    await ui.page.getByRole("button", { name: "Publish", exact: true }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Publish v1" });
    await dialog.getByLabel("Note for the version history (optional)").fill("First version");
    await dialog.getByRole("button", { name: "Publish v1" }).click();
    await ui.page.getByRole("status").getByText("v1 is live.").waitFor();
    await expectHeader("Draft = live v1");

    await enter("ada");
    await enter("bo");
    await expect
      .poll(() => node("wait1").locator(".wm-live-count").textContent(), { timeout: 15_000 })
      .toBe("2 here");
    await shot("1-live-v1");
  });

  it("edits the draft: the header says it differs from live v1 and by how much", async () => {
    await select("sms1");
    await inspector()
      .getByLabel("Message")
      .fill("Hi {{ user.firstName }}, your basket is still waiting for you");
    await select("wait1");
    await inspector().getByLabel("Duration", { exact: true }).fill("PT2H");
    await saved();
    await expectHeader("Draft — differs from live v1 (2 changes)");
    await shot("2-draft-differs");
  });

  it("publishes v2 moving the users, and the counts follow them onto v2", async () => {
    await ui.page.getByRole("button", { name: "Publish", exact: true }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Publish v2" });
    const changes = dialog.getByRole("region", { name: "Changes against v1" });
    await changes.locator('[data-diff-node="sms1"][data-change="changed"]').waitFor();
    await changes.locator('[data-diff-node="wait1"][data-change="changed"]').waitFor();
    await dialog.getByText("2 users in the journey now").waitFor();
    await dialog.getByLabel(/Move them to v2/).check();
    await dialog
      .getByLabel("Note for the version history (optional)")
      .fill("Warmer copy, longer wait");
    await shot("3-publish-v2-move");
    await dialog.getByRole("button", { name: "Publish v2 and move users" }).click();
    await ui.page.getByRole("status").getByText("v2 is live.").waitFor();
    await expectHeader("Draft = live v2");
    const listed = await api<{ versions: { version: number; migrated: number }[] }>(
      `/api/journeys/${ID}/versions`,
    );
    expect(listed.versions.map((v) => [v.version, v.migrated])).toEqual([
      [2, 2],
      [1, 0],
    ]);
    await expect
      .poll(() => node("wait1").locator(".wm-live-count").textContent(), { timeout: 10_000 })
      .toBe("2 here");

    // A step the live version does not have never shows a live count.
    await ui.page
      .getByRole("button", { name: "Add Wait" })
      .dragTo(ui.page.locator(".canvas"), { targetPosition: { x: 460, y: 120 } });
    await node("wait2").waitFor();
    await saved();
    await expectHeader("Draft — differs from live v2 (1 change)");
    expect(await node("wait2").locator(".wm-live-count").count()).toBe(0);
    expect(await node("wait1").locator(".wm-live-count").textContent()).toBe("2 here");
  });

  it("lists every version with who, when, policy, users moved and note, and opens v1 read-only", async () => {
    await ui.page.getByRole("button", { name: "Versions" }).click();
    const v2 = versions().locator('li[data-version="2"]');
    const v1 = versions().locator('li[data-version="1"]');
    await v2.getByText("Moved 2 users onto v2.").waitFor();
    expect(await v2.textContent()).toContain("Warmer copy, longer wait");
    expect(await v2.textContent()).toContain("by admin@waymark.local");
    expect(await v2.textContent()).toContain("2 users now");
    expect(await v1.textContent()).toContain("Users already in the journey kept their version.");
    expect(await v1.textContent()).toContain("First version");
    expect(await v1.textContent()).toContain("0 users now");
    const activity = versions().getByTestId("journey-activity");
    await activity.getByText("Published v2 (2 changes) and moved 2 users").waitFor();
    await activity.getByText("Published v1").waitFor();
    await shot("4-versions-panel");

    await v1.getByRole("button", { name: "Open" }).click();
    const banner = ui.page.getByRole("region", { name: "Version view" });
    await banner.getByText("Viewing v1").waitFor();
    await banner.getByText("no users on this version now").waitFor();
    const canvas = ui.page
      .getByRole("application", { name: "Version v1 (read-only)" })
      .or(ui.page.locator('[aria-label="Version v1 (read-only)"]'));
    await canvas.first().waitFor();
    // v1's own document: the one-hour wait, no wait2, no counts, nothing to drag or add.
    await expect.poll(() => node("wait1").textContent()).toContain("wait 1 h");
    expect(await node("wait2").count()).toBe(0);
    expect(await ui.page.locator(".wm-live-count").count()).toBe(0);
    expect(await ui.page.getByRole("button", { name: "Add Wait" }).count()).toBe(0);
    expect(await header().textContent()).toBe("Draft — differs from live v2 (1 change)");
    await shot("5-v1-read-only");

    // v2 still has its users: the read-only canvas shows them on v2's nodes.
    await versions().locator('li[data-version="2"]').getByRole("button", { name: "Open" }).click();
    await ui.page.getByRole("region", { name: "Version view" }).getByText("Viewing v2").waitFor();
    await expect
      .poll(() => node("wait1").locator(".wm-live-count").textContent(), { timeout: 10_000 })
      .toBe("2 here");
  });

  it("compares v1 with v2: changed steps painted, the template diffed by words, the API's JSON", async () => {
    await versions().getByLabel("Compare from").selectOption("1");
    await versions().getByLabel("Compare to").selectOption("2");
    await versions().getByRole("button", { name: "Compare", exact: true }).click();
    const banner = ui.page.getByRole("region", { name: "Comparison" });
    await banner.getByText("Comparing v1 → v2").waitFor();
    await expect.poll(() => ui.page.locator(".react-flow__node.wm-diff-changed").count()).toBe(2);
    expect(await ui.page.locator(".react-flow__node.wm-diff-same").count()).toBe(2);
    const result = versions().getByTestId("compare-result");
    const sms = result.locator('[data-diff-node="sms1"]');
    expect(await sms.locator("del").allTextContents()).toEqual(["cart"]);
    expect(await sms.locator("ins").allTextContents()).toEqual(["basket", "still ", "for you"]);
    expect(await result.locator('[data-diff-node="wait1"]').textContent()).toContain("2 hours");
    const json = await api<{ summary: { changes: number } }>(
      `/api/journeys/${ID}/diff?from=1&to=2`,
    );
    expect(json.summary.changes).toBe(2);
    expect(await result.getByRole("heading").first().textContent()).toBe("v1 → v2 · 2 changes");
    await shot("6-compare-v1-v2");
    await banner.getByRole("button", { name: "Back to the draft" }).click();
    await node("wait2").waitFor();
  });

  it("restores v1 as the draft without touching users, and publishes it as v3", async () => {
    const v1 = versions().locator('li[data-version="1"]');
    await v1.getByRole("button", { name: "Restore…" }).click();
    await v1.getByRole("button", { name: "Restore v1 as draft" }).click();
    await ui.page
      .getByRole("status")
      .getByText("v1 is now the draft. Publish it to make it live.")
      .waitFor();
    await expectHeader("Draft — differs from live v2 (2 changes)");
    await node("sms1").waitFor();
    expect(await node("wait2").count()).toBe(0);
    const j = await api<{ draft: Journey; liveVersion: number }>(`/api/journeys/${ID}`);
    expect(j.liveVersion).toBe(2);
    expect(j.draft).toEqual(JOURNEY);
    // Users were not touched: still two, on v2.
    expect(
      (
        await api<{ versions: { version: number; activeUsers: number }[] }>(
          `/api/journeys/${ID}/versions`,
        )
      ).versions.map((v) => [v.version, v.activeUsers]),
    ).toEqual([
      [2, 2],
      [1, 0],
    ]);
    await shot("7-restored-v1");

    await ui.page.getByRole("button", { name: "Publish", exact: true }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Publish v3" });
    await dialog.getByText("Changes against v2 · 2 changes").waitFor();
    await dialog.getByRole("button", { name: "Publish v3" }).click();
    await ui.page.getByRole("status").getByText("v3 is live.").waitFor();
    await expectHeader("Draft = live v3");
    // The two users stayed on v2 (v3 kept in-flight users where they were): the draft, which
    // is live v3, shows nobody on wait1 even though v2's wait1 holds both.
    await ui.page.waitForTimeout(2500);
    expect(await node("wait1").locator(".wm-live-count").count()).toBe(0);
    const v3 = versions().locator('li[data-version="3"]');
    await v3.getByText("Users already in the journey kept their version.").waitFor();
    await versions().getByTestId("journey-activity").getByText("Made v1 the draft").waitFor();
    await shot("8-published-v3");
    await versions().locator('li[data-version="2"]').getByRole("button", { name: "Open" }).click();
    await expect
      .poll(() => node("wait1").locator(".wm-live-count").textContent(), { timeout: 10_000 })
      .toBe("2 here");
    await ui.page
      .getByRole("region", { name: "Version view" })
      .getByRole("button", { name: "Back to the draft" })
      .click();
    expect(ui.errors).toEqual([]);
  });

  it("asks before an import replaces a live journey's draft, and refuses by default", async () => {
    const file = {
      ...JOURNEY,
      nodes: JOURNEY.nodes.map((n) =>
        n.id === "sms1" && n.type === "send"
          ? {
              ...n,
              send: { ...n.send, template: "Hi {{ user.firstName }}, 10% off your cart today" },
            }
          : n,
      ),
    };
    await ui.page.goto(ui.url);
    await ui.page.getByRole("button", { name: "Import JSON" }).click();
    const dialog = ui.page.getByRole("dialog", { name: "Import a journey" });
    await dialog.getByLabel("Or paste the JSON").fill(JSON.stringify(file));
    await dialog.getByRole("button", { name: "Import", exact: true }).click();
    const conflict = dialog.getByRole("alert");
    await conflict.getByText("and is live on v3.", { exact: false }).waitFor();
    const changed = conflict.locator('[data-diff-node="sms1"][data-change="changed"]');
    await changed.waitFor();
    expect(await changed.locator("del").allTextContents()).toEqual(["is waiting"]);
    expect(await changed.locator("ins").allTextContents()).toEqual(["10% off ", "today"]);
    await shot("9-import-asks");
    // Refused until the marketer chooses: the draft is what it was.
    expect((await api<{ draft: Journey }>(`/api/journeys/${ID}`)).draft).toEqual(JOURNEY);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await api<{ draft: Journey }>(`/api/journeys/${ID}`)).draft).toEqual(JOURNEY);

    await ui.page.getByRole("button", { name: "Import JSON" }).click();
    await dialog.getByLabel("Or paste the JSON").fill(JSON.stringify(file));
    await dialog.getByRole("button", { name: "Import", exact: true }).click();
    await dialog.getByRole("button", { name: "Replace its draft" }).click();
    await dialog.getByRole("status").filter({ hasText: "(replaced its draft)" }).waitFor();
    const after = await api<{ draft: Journey; liveVersion: number; status: string }>(
      `/api/journeys/${ID}`,
    );
    expect(after).toMatchObject({ status: "live", liveVersion: 3, draft: file });
    await dialog.getByRole("button", { name: "Close" }).click();

    // The editor says so, and discarding the draft goes back to live v3.
    await ui.page.goto(`${ui.url}/journeys/${ID}`);
    await expectHeader("Draft — differs from live v3 (1 change)");
    await ui.page.getByRole("button", { name: "Versions" }).click();
    await versions().getByRole("button", { name: "Discard draft…" }).click();
    await versions().getByRole("button", { name: "Discard draft", exact: true }).click();
    await ui.page.getByRole("status").getByText("Draft discarded: it is v3 again.").waitFor();
    await expectHeader("Draft = live v3");
    expect((await api<{ draft: Journey }>(`/api/journeys/${ID}`)).draft).toEqual(JOURNEY);
    expect(ui.errors).toEqual([]);
  });

  it("shows the admin every audited action in Settings, filterable", async () => {
    await ui.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Settings" })
      .click();
    const log = ui.page.getByTestId("audit-log");
    await log.getByText("Discarded the draft (back to v3)").waitFor();
    await log.getByText("Imported a document over the draft (1 change)").waitFor();
    await log.getByText("Made v1 the draft").waitFor();
    expect(await log.locator('tr[data-action="journey.publish"]').count()).toBe(3);
    await ui.page.getByRole("heading", { name: "Audit log" }).scrollIntoViewIfNeeded();
    await shot("10-audit-log");
    await ui.page.getByLabel("Audit filter").selectOption("journey.publish");
    await expect.poll(() => log.locator("tbody tr").count()).toBe(3);
    expect(await log.locator('tr[data-action="journey.import"]').count()).toBe(0);
    expect(ui.errors).toEqual([]);
  });
});
