import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";

/**
 * Issue #19 in Chromium against the real server: an admin picks Twilio for SMS in Settings →
 * Providers (the server started with the console provider from its environment), saves it with
 * the auth token typed once, sees the token only as "set", sends a test to a number and sees
 * the provider's answer; the fake Twilio got that message.
 */
describe.runIf(chromiumPath)("Settings → Providers in Chromium", () => {
  let twilio: FakeTwilio;
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false" },
    prepare: async () => {
      twilio = await startFakeTwilio();
      // The fake listens on loopback: provider URLs there must be allowed, as for webhooks.
      return { WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1" };
    },
  });
  afterAll(async () => {
    await twilio?.close();
  });

  it("sets Twilio for SMS, keeps the token write-only, and shows a test send's outcome", async () => {
    const { page } = ui;
    await page.goto(`${ui.url}/settings`);
    const sms = page.getByTestId("provider-sms");
    await sms.waitFor();
    expect(await page.getByTestId("provider-sms-source").textContent()).toContain(
      "From environment: Console",
    );
    await sms.getByLabel("Provider").selectOption("twilio");
    await sms.getByLabel("Account SID").fill(twilio.accountSid);
    await sms.getByLabel("Auth token").fill(twilio.authToken);
    await sms.getByLabel("Sender (number or MG… service)").fill("+12025550100");
    await sms.getByLabel("API base URL").fill(twilio.baseUrl);
    await sms.getByRole("button", { name: "Save" }).click();
    await page.getByTestId("provider-sms-source").getByText("Saved in Settings by").waitFor();

    // Reloaded: the token is not in the page, only that it is set.
    await page.reload();
    const token = page.getByTestId("provider-sms").getByLabel("Auth token");
    await token.waitFor();
    expect(await token.inputValue()).toBe("");
    expect(await token.getAttribute("placeholder")).toBe("•••• set — type to replace");
    expect(await page.content()).not.toContain(twilio.authToken);

    const form = page.getByTestId("provider-sms");
    await form.getByLabel("Test recipient (phone, +8613800138000)").fill("+8613800138000");
    await form.getByRole("button", { name: "Send test" }).click();
    const outcome = page.getByTestId("provider-sms-outcome");
    await outcome.waitFor();
    expect(await outcome.textContent()).toMatch(/^Accepted by the provider: SM\w+ \(\d+ ms\)$/);
    expect(twilio.deliveries.map((d) => d.to)).toEqual(["+8613800138000"]);
    await form.screenshot({ path: join(ARTIFACTS, "providers-sms.png") });

    // A wrong number is the provider's refusal, shown as text.
    await form.getByLabel("Test recipient (phone, +8613800138000)").fill("12345");
    await form.getByRole("button", { name: "Send test" }).click();
    await form.getByText(/^to: must be a phone number/).waitFor();
    await page
      .locator('section[aria-labelledby="s-providers"]')
      .screenshot({ path: join(ARTIFACTS, "providers-section.png") });
    expect(ui.errors.filter((e) => !e.includes("400"))).toEqual([]);
  }, 90_000);
});
