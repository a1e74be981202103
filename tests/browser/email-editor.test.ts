import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { oneSend } from "../helpers/journeys.ts";
import { startSmtp } from "../runtime/delivery/email-fixtures.ts";

/**
 * Issue 19 in Chromium: an email send's form has its subject, preheader, HTML and sender, and
 * previews the email as a sample contact gets it, with its size; an SMS send shows none of it.
 * And `waymark start` with WAYMARK_SMTP_URL sends a published email journey over SMTP.
 */
describe.runIf(chromiumPath)("the email send form in Chromium", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false", WAYMARK_EMAIL_FROM: "Shop <news@shop.example>" },
    prepare: async () => {
      smtp = await startSmtp();
      return { WAYMARK_SMTP_URL: smtp.url };
    },
    page: { viewport: { width: 1440, height: 1000 } },
  });

  afterAll(async () => {
    await smtp?.close();
  });
  const { inspector, create, openNode } = ui;

  it("shows the email's fields and previews it rendered, with its size", async () => {
    await create(
      oneSend("email-form", {
        channel: "email",
        category: "promotional",
        template:
          "Hi {{ user.firstName }}, your cart is waiting: {{ 'https://shop.example.com/cart' | track }}",
        email: {
          subject: "{{ user.firstName }}, you left something behind",
          preheader: "Free shipping ends at midnight",
          html: '<html><body style="font-family:sans-serif"><h1 style="color:#4f46e5">Hi {{ user.firstName }}</h1><p>Your <b>{{ event.item }}</b> is still in your cart.</p><p><a href="{{ \'https://shop.example.com/cart\' | track }}">Back to your cart</a></p></body></html>',
          from: "Shop <news@shop.example>",
        },
      }),
    );
    await openNode("email-form", "send1");
    const panel = inspector();
    await expect
      .poll(() => panel.getByTestId("email-subject").textContent())
      .toBe("Alex, you left something behind");
    expect(await panel.getByLabel("Subject").inputValue()).toBe(
      "{{ user.firstName }}, you left something behind",
    );
    expect(await panel.getByTestId("email-envelope").textContent()).toContain(
      "Shop <news@shop.example>",
    );
    const frame = ui.page.frameLocator('[data-testid="email-html"]');
    await expect.poll(() => frame.locator("h1").textContent()).toBe("Hi Alex");
    expect(await frame.locator("b").textContent()).toBe("Trail runners");
    expect(await frame.locator("a").getAttribute("href")).toMatch(
      new RegExp(`^${ui.url}/l/[A-Za-z0-9]{22}$`),
    );
    expect(await panel.getByTestId("email-stats").textContent()).toMatch(/HTML\d+ B/);

    // Typing in the subject re-renders the preview.
    await panel.getByLabel("Subject").fill("Still thinking it over, {{ user.firstName }}?");
    await expect
      .poll(() => panel.getByTestId("email-subject").textContent())
      .toBe("Still thinking it over, Alex?");
    await panel.getByLabel("Subject").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "email-send-fields.png") });
    await panel.getByLabel("Email preview").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "email-send-form.png") });
    expect(ui.errors).toEqual([]);
  });

  it("an SMS send has no email fields", async () => {
    await create(oneSend("sms-form", { channel: "sms", category: "promotional", template: "Hi" }));
    await openNode("sms-form", "send1");
    await inspector().getByLabel("SMS preview").waitFor();
    expect(await inspector().getByLabel("Subject").count()).toBe(0);
    expect(await inspector().getByText("Email", { exact: true }).count()).toBe(0);
    expect(await inspector().getByLabel("Email preview").count()).toBe(0);
  });

  it("the running server sends a published email over SMTP, with its unsubscribe link pointing at itself", async () => {
    const post = async (path: string, data: unknown, headers: Record<string, string> = {}) => {
      const res = await ui.page.request.post(`${ui.url}${path}`, { data, headers });
      return { status: res.status(), body: (await res.json()) as Record<string, unknown> };
    };
    const key = await post("/api/keys", { kind: "write", name: "email test" });
    expect(key.status).toBe(201);
    const basic = `Basic ${Buffer.from(`${String(key.body.key)}:`).toString("base64")}`;
    const identified = await post(
      "/v1/identify",
      {
        userId: "mail-1",
        traits: { firstName: "Ann", email: "ann@inbox.example", timezone: "UTC" },
        consent: { email: { transactional: true } },
      },
      { authorization: basic },
    );
    expect(identified.status).toBe(200);
    await create(
      oneSend("email-live", {
        channel: "email",
        category: "transactional",
        template: "Your order shipped, {{ user.firstName }}.",
        email: {
          subject: "Order shipped",
          html: "<p>Your order shipped, {{ user.firstName }}.</p>",
        },
      }),
    );
    expect((await post("/api/journeys/email-live/publish", {})).status).toBe(200);
    expect((await post("/api/journeys/email-live/enroll", { userId: "mail-1" })).status).toBe(201);
    await expect.poll(() => smtp.accepted.length, { timeout: 15_000 }).toBe(1);
    const [mail] = smtp.accepted;
    expect(mail?.subject).toBe("Order shipped");
    expect(mail?.text).toBe("Your order shipped, Ann.");
    // Transactional: no List-Unsubscribe, but the pixel, on this server's own URL.
    expect(mail?.headerLines.some((h) => h.key === "list-unsubscribe")).toBe(false);
    expect(String(mail?.html)).toContain(`<img src="${ui.url}/o/`);
  });
});
