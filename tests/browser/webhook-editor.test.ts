import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { oneSend } from "../helpers/journeys.ts";

/**
 * Issue 19 in Chromium: a webhook send's form switches on its own request (method, URL,
 * headers, JSON body), previews the request a sample contact gets, and autosaves it into the
 * draft; an SMS send has no request fields.
 */
describe.runIf(chromiumPath)("the webhook send form in Chromium", () => {
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false" },
    page: { viewport: { width: 1440, height: 1000 } },
    defaultTimeout: 8000,
  });

  const { inspector, create, openNode } = ui;
  async function open(doc: ReturnType<typeof oneSend>) {
    await create(doc);
    await openNode(doc.id, "send1");
  }

  it("fills the request fields and previews the rendered request; the draft keeps them", async () => {
    await open(
      oneSend("hook-form", { channel: "webhook", category: "transactional", template: "order" }),
    );
    const panel = inspector();
    await panel.getByLabel("Webhook preview").getByText("envelope").waitFor();
    // The switch's input is drawn as a track: click its label, as a user does.
    const request = ui.page.getByRole("switch", { name: "Request" });
    await panel.locator("label.toggle", { has: request }).click();
    expect(await request.isChecked()).toBe(true);
    await panel.getByLabel("Method").selectOption("PUT");
    await panel
      .getByLabel("URL")
      .fill("https://crm.example.com/v1/people/{{ user.id }}?city={{ user.city }}");
    await panel
      .getByTestId("webhook-headers")
      .fill("X-Tenant: shop\nAuthorization: Bearer {{ user.firstName }}");
    await panel.getByTestId("webhook-body").fill('{"name": "{{ user.firstName }}", "item": ');
    await panel.getByText("Not JSON yet").waitFor();
    await panel
      .getByTestId("webhook-body")
      .fill(
        '{\n  "name": "{{ user.firstName }}",\n  "item": "{{ event.item }}",\n  "vip": true\n}',
      );
    const preview = panel.getByTestId("webhook-preview");
    await expect
      .poll(() => preview.textContent())
      .toMatch(/^PUT https:\/\/crm\.example\.com\/v1\/people\//);
    const text = (await preview.textContent()) ?? "";
    expect(text).toContain("x-tenant: shop");
    expect(text).toContain("authorization: Bearer Alex");
    expect(text).toContain('"name": "Alex"');
    expect(text).toContain('"item": "Trail runners"');
    expect(text).toContain('"vip": true');
    await panel.getByLabel("Webhook preview").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "webhook-send-form.png") });
    await panel.locator("label.toggle", { has: request }).evaluate((el) => el.scrollIntoView());
    await panel.screenshot({ path: join(ARTIFACTS, "webhook-send-fields.png") });
    // Autosaved: the draft carries the request as typed.
    await expect
      .poll(async () => {
        const res = await ui.page.request.get(`${ui.url}/api/journeys/hook-form`);
        const body = (await res.json()) as {
          draft: { nodes: { id: string; send?: { webhook?: unknown } }[] };
        };
        return body.draft.nodes.find((n) => n.id === "send1")?.send?.webhook;
      })
      .toEqual({
        method: "PUT",
        url: "https://crm.example.com/v1/people/{{ user.id }}?city={{ user.city }}",
        headers: { "X-Tenant": "shop", Authorization: "Bearer {{ user.firstName }}" },
        body: { name: "{{ user.firstName }}", item: "{{ event.item }}", vip: true },
      });
    expect(ui.errors).toEqual([]);
  });

  it("an SMS send has no request fields", async () => {
    await open(oneSend("sms-form", { channel: "sms", category: "promotional", template: "Hi" }));
    await inspector().getByLabel("SMS preview").waitFor();
    expect(await inspector().getByLabel("Request").count()).toBe(0);
    expect(await inspector().getByLabel("Webhook preview").count()).toBe(0);
  });
});
