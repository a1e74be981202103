import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, signIn, watchErrors } from "../helpers/browser.ts";
import { type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Issue 19 in Chromium: an SMS send switched to an approved template (Aliyun) names the code,
 * the sign name and a Liquid value per parameter; the preview shows the approved text filled
 * in for a sample contact, counted as China's providers count (every character 1, 【sign】
 * included, 70 / 67), a link in a parameter is warned about in the preview and in the issues
 * the canvas paints, and the draft keeps it all.
 */
describe.runIf(chromiumPath)("the template SMS form in Chromium", () => {
  let server: Started;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startWaymark({ WAYMARK_DATA_DIR: tempDir(), WAYMARK_DEMO_SEED: "false" }),
      launchBrowser(),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(8000);
    errors = watchErrors(page);
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const inspector = () => page.getByRole("complementary", { name: "Inspector" });

  it("fills code, sign name and parameters; previews and counts the filled text; warns on a link", async () => {
    const doc = {
      format: "waymark/journey@1",
      id: "cn-shipped",
      name: "发货通知",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "event", event: "order_shipped" } },
        {
          id: "send1",
          type: "send",
          send: { channel: "sms", category: "promotional", template: "Hi {{ user.firstName }}" },
        },
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "send1" },
        { from: "send1", to: "done" },
      ],
    };
    const res = await page.request.post(`${server.url}/api/journeys`, { data: doc });
    expect(res.status()).toBe(201);
    await page.goto(`${server.url}/journeys/${doc.id}`);
    await page.getByTestId("node-send1").locator(".wm-node-title").click();
    const panel = inspector();
    await panel.getByText("send1", { exact: true }).waitFor();

    const toggle = page.getByRole("switch", { name: "Approved template (China)" });
    await panel.locator("label.toggle", { has: toggle }).click();
    expect(await toggle.isChecked()).toBe(true);
    await panel.getByLabel("Template code").fill("SMS_154950909");
    await panel.getByLabel("Sign name").fill("猫粮商城");
    await panel
      .getByTestId("sms-template-text")
      .fill(`亲爱的\${name}，您的\${item}已发货，单号\${sku}。拒收请回复R`);
    for (const [name, value] of [
      ["name", "{{ user.firstName }}"],
      ["item", "{{ event.item }}"],
      ["sku", "{{ event.sku }}"],
    ]) {
      await panel.getByRole("button", { name: "+ Add param" }).click();
      const row = panel.locator(".list-item").last();
      await row.getByLabel("Name", { exact: true }).fill(name ?? "");
      await row.getByLabel("Value", { exact: true }).fill(value ?? "");
    }
    const body = panel.getByTestId("sms-template-body");
    const expected = "【猫粮商城】亲爱的小美，您的Trail runners已发货，单号SKU-1042。拒收请回复R";
    await expect.poll(() => body.textContent()).toBe(expected);
    const stats = panel.getByTestId("sms-template-stats");
    expect(await stats.textContent()).toContain(`Characters${[...expected].length}`);
    expect(await stats.textContent()).toContain("1 × 70");
    expect(await panel.getByTestId("sms-template-link-warning").count()).toBe(0);
    await panel.getByLabel("Template SMS preview").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "sms-template-form.png") });
    await panel.getByTestId("sms-template-text").evaluate((el) => el.scrollIntoView());
    await panel.screenshot({ path: join(ARTIFACTS, "sms-template-fields.png") });

    // A link in a parameter: warned in the preview and as a validation issue on the node.
    await panel
      .locator(".list-item")
      .last()
      .getByLabel("Value", { exact: true })
      .fill('{{ "https://shop.example/o" | track }}');
    await panel.getByTestId("sms-template-link-warning").waitFor();
    await page.getByText("forbid variable and shortened links").first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "sms-template-link-warning.png") });

    await expect
      .poll(async () => {
        const r = await page.request.get(`${server.url}/api/journeys/${doc.id}`);
        const b = (await r.json()) as {
          draft: { nodes: { id: string; send?: { smsTemplate?: unknown; template?: string } }[] };
        };
        return b.draft.nodes.find((n) => n.id === "send1")?.send;
      })
      .toMatchObject({
        template: `亲爱的\${name}，您的\${item}已发货，单号\${sku}。拒收请回复R`,
        smsTemplate: {
          code: "SMS_154950909",
          signName: "猫粮商城",
          params: [
            { name: "name", value: "{{ user.firstName }}" },
            { name: "item", value: "{{ event.item }}" },
            { name: "sku", value: '{{ "https://shop.example/o" | track }}' },
          ],
        },
      });
    expect(errors).toEqual([]);
  });
});
