import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { middayZone } from "../helpers/time.ts";

/**
 * Issue 20 in Chromium: a marketer adds a zh-CN variant to an SMS send in the editor's tabs,
 * writes the Chinese text, sees the preview and parts counter follow the tab (with the Chinese
 * opt-out line), and publishes; the stored draft holds the variant.
 */
describe.runIf(chromiumPath)("send variants in the editor", () => {
  const ui = signedInConsole({ env: { WAYMARK_DEMO_SEED: "false" } });
  const { inspector, saved, draft } = ui;

  it("adds a zh-CN variant, previews it and publishes", async () => {
    await ui.create({
      format: "waymark/journey@1",
      id: "localized",
      name: "Localized sale",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
        {
          id: "sms1",
          type: "send",
          send: {
            channel: "sms",
            category: "promotional",
            template: "Hi {{ user.firstName }}, 20% off today",
          },
        },
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "sms1" },
        { from: "sms1", to: "done" },
      ],
    });
    await ui.openNode("localized", "sms1");
    const panel = inspector();
    const tab = (name: string) => panel.getByRole("tab", { name, exact: true });
    expect(await tab("Default").getAttribute("aria-selected")).toBe("true");
    const body = panel.getByTestId("sms-body");
    await expect
      .poll(() => body.textContent())
      .toBe("Hi Alex, 20% off today\nReply STOP to opt out");

    // A tag that is not BCP 47 is refused where it was typed.
    const locale = panel.getByLabel("Add a variant for locale");
    await locale.fill("zh_CN");
    await panel.getByRole("button", { name: "Add variant" }).click();
    await panel.getByRole("alert").getByText("“zh_CN” is not a locale tag").waitFor();

    // Typed in any case, stored canonical; the new tab starts as a copy of the default text.
    await locale.fill("zh-cn");
    await panel.getByRole("button", { name: "Add variant" }).click();
    await expect.poll(() => tab("zh-CN").getAttribute("aria-selected")).toBe("true");
    const message = panel.getByRole("tabpanel").getByLabel("Message");
    expect(await message.inputValue()).toBe("Hi {{ user.firstName }}, 20% off today");
    await message.fill("{{ user.firstName }}，您的购物车还在等您，今天全场八折");

    // The preview and the counter are the variant's, for the Chinese sample contact, with its
    // Chinese opt-out line; an English sample contact still gets the variant's line.
    await expect
      .poll(() => body.textContent())
      .toBe("小美，您的购物车还在等您，今天全场八折 回TD退订");
    const stats = panel.getByTestId("sms-stats");
    expect(await stats.textContent()).toContain("UCS-2");
    expect(await stats.textContent()).toContain("1 × 70");
    await panel.getByLabel("Preview locale").selectOption("en");
    await expect
      .poll(() => body.textContent())
      .toBe("Alex，您的购物车还在等您，今天全场八折 回TD退订");
    await saved();
    await panel.getByRole("tablist").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "send-variant-zh-CN.png") });
    await panel.getByLabel("SMS preview").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "send-variant-zh-CN-preview.png") });

    // Back on Default: the send's own text and line.
    await tab("Default").click();
    expect(await panel.getByRole("tabpanel").getByLabel("Message").inputValue()).toBe(
      "Hi {{ user.firstName }}, 20% off today",
    );
    await expect.poll(() => body.textContent()).toContain("Reply STOP to opt out");

    const stored = await draft("localized");
    const send = stored.nodes.find((n) => n.id === "sms1");
    expect(send?.type === "send" && send.send.variants).toEqual([
      { locale: "zh-CN", template: "{{ user.firstName }}，您的购物车还在等您，今天全场八折" },
    ]);

    const publish = ui.page.getByRole("button", { name: "Publish" });
    await expect.poll(() => publish.isDisabled()).toBe(false);
    await publish.click();
    const dialog = ui.page.getByRole("dialog", { name: "Publish v1" });
    await dialog.getByRole("button", { name: "Publish v1" }).click();
    await ui.page.getByRole("status").getByText("v1 is live.").waitFor();
    expect(ui.errors).toEqual([]);
  });

  it("the running server sends a zh-CN contact the variant, and the outbox says which", async () => {
    await ui.ingest("/v1/identify", {
      userId: "li",
      traits: {
        firstName: "丽丽",
        phone: "+8613812345678",
        timezone: middayZone(),
        locale: "zh-CN",
      },
      consent: { sms: { promotional: true } },
    });
    await ui.ingest("/v1/track", { userId: "li", event: "cart_abandoned" });
    // Queued by the running ticker (the API says when); then the page must show it. Counting
    // rows straight after a reload raced the page's own fetch, and lost on a loaded machine.
    await expect
      .poll(
        async () =>
          (await ui.api<{ messages: unknown[] }>("/api/messages?journey=localized")).messages
            .length,
        { timeout: 60_000, interval: 250 },
      )
      .toBe(1);
    await ui.page.goto(`${ui.url}/messages`);
    const row = ui.page.locator("tr[data-message]").filter({ hasText: "丽丽" });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.count()).toBe(1);
    expect(await row.locator(".msg-body").textContent()).toBe(
      "丽丽，您的购物车还在等您，今天全场八折 回TD退订",
    );
    expect(await row.locator(".msg-meta").textContent()).toContain("zh-CN variant");
    await row.screenshot({ path: join(ARTIFACTS, "send-variant-outbox.png") });

    // Results: the send's row, and under it the message the zh-CN variant sent.
    await ui.page.goto(`${ui.url}/journeys/localized/results`);
    const variantRow = ui.page.locator('tr.variant-row[data-variant="zh-CN"]');
    await variantRow.waitFor();
    expect(await variantRow.locator("td").first().textContent()).toContain("zh-CN variant");
    expect(await variantRow.locator("td.num").first().textContent()).toBe("1");
    await ui.page
      .getByTestId("results-table")
      .screenshot({ path: join(ARTIFACTS, "send-variant-results.png") });
    expect(ui.errors).toEqual([]);
  }, 90_000);
});
