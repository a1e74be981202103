import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, watchErrors } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";

/**
 * Issue #16 in Chromium against the real server and a fake Twilio: "Send test" from a send
 * node reaches the provider with the rendered text and a real tracked link, only to contacts on
 * the journey's test list; a support operator opts a contact out and back in from the
 * inspector, and the contact's timeline shows it, a STOP reply with its text, and long lines
 * inside its column.
 */
describe.runIf(chromiumPath)("test send and support acts in Chromium", () => {
  let twilio: FakeTwilio;
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false", WAYMARK_DELIVERY_POLL_MS: "100" },
    prepare: async () => {
      twilio = await startFakeTwilio();
      return {
        WAYMARK_SMS_PROVIDER: "twilio",
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: "+12025550100",
        TWILIO_BASE_URL: twilio.baseUrl,
      };
    },
  });
  const { api, ingest, inspector } = ui;
  beforeAll(async () => {
    // Whenever this runs: no quiet hours holding the sends back.
    const settings = await api<{ policy: Record<string, unknown> }>("/api/settings");
    await api(
      "/api/settings",
      { policy: { ...settings.policy, quietHours: null } },
      { method: "put" },
    );
  });
  afterAll(async () => {
    await twilio?.close();
  });

  function oneSend(id: string, template: string, settings: Record<string, unknown> = {}) {
    return {
      format: "waymark/journey@1",
      id,
      name: id,
      settings,
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "api" } },
        { id: "sms1", type: "send", send: { channel: "sms", category: "promotional", template } },
        { id: "wait1", type: "wait", wait: { kind: "duration", duration: "P1D" } },
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "sms1" },
        { from: "sms1", to: "wait1" },
        { from: "wait1", to: "done" },
      ],
    };
  }

  it("Send test reaches the provider with the rendered text and a real tracked link, test list only", async () => {
    for (const [userId, phone, firstName] of [
      ["tester-1", "+12025550181", "Tess"],
      ["other-1", "+12025550182", "Otto"],
    ] as const) {
      await ingest("/v1/identify", { userId, traits: { phone, firstName } });
    }
    const template =
      'Hi {{ user.firstName }}, 20% off: {{ "https://shop.example.com/sale" | track }}';
    await api("/api/journeys", oneSend("test-send", template, { testList: ["tester-1", "ghost"] }));
    await api("/api/journeys", oneSend("no-list", template));

    // No test list: the panel says how to get one, and offers nobody.
    await ui.page.goto(`${ui.url}/journeys/no-list`);
    await ui.page.getByTestId("node-sms1").locator(".wm-node-title").click();
    await inspector().getByTestId("test-list-empty").waitFor();
    expect(await inspector().getByRole("button", { name: "Send test" }).count()).toBe(0);

    await ui.page.goto(`${ui.url}/journeys/test-send`);
    await ui.page.getByTestId("node-sms1").locator(".wm-node-title").click();
    const card = inspector().getByRole("region", { name: "Send test" });
    const select = card.getByLabel("Test contact");
    await select.waitFor();
    // Only the list's contacts: not other-1 (a contact, not on the list), not ghost (no contact).
    expect(await select.locator("option").allTextContents()).toEqual(["tester-1"]);
    await card.getByRole("button", { name: "Send test" }).click();
    const status = card.getByTestId("test-send-outcome").locator("output");
    await expect
      .poll(() => status.getAttribute("data-status"), { timeout: 20_000 })
      .toMatch(/^(sent|delivered)$/);
    expect(await status.textContent()).toMatch(/^Sent by twilio \(SM[0-9a-f]+\)/);
    await card.scrollIntoViewIfNeeded();
    await inspector().screenshot({ path: join(ARTIFACTS, "test-send.png") });

    const delivered = twilio.deliveries.filter((d) => d.to === "+12025550181");
    expect(delivered).toHaveLength(1);
    const body = delivered[0]?.body ?? "";
    const link = new RegExp(
      `^\\[TEST\\] Hi Tess, 20% off: ${ui.url.replaceAll(".", "\\.")}/l/([\\w-]{22})\\nReply STOP to opt out$`,
    ).exec(body);
    expect(link, body).not.toBeNull();
    // The link is real: it resolves to the marketer's URL.
    const hop = await fetch(`${ui.url}/l/${link?.[1] ?? ""}`, { redirect: "manual" });
    expect([hop.status, hop.headers.get("location")]).toEqual([
      302,
      "https://shop.example.com/sale",
    ]);
    expect(twilio.deliveries.filter((d) => d.to === "+12025550182")).toHaveLength(0);

    // A contact off the list is refused by the server too, whatever the console offers.
    const refused = await ui.page.request.post(`${ui.url}/api/journeys/test-send/test-send`, {
      data: { nodeId: "sms1", contactId: "other-1" },
    });
    expect(refused.status()).toBe(403);
    expect(ui.errors).toEqual([]);
  });

  it("support opts a contact out and back in from the inspector; the timeline shows it and the STOP reply", async () => {
    const phone = "+12025550191";
    await ingest("/v1/identify", {
      userId: "ada",
      traits: { phone, firstName: "Ada" },
      consent: { sms: { promotional: true } },
    });
    const long = `Ada, your order ${"ABCDEFGHIJ".repeat(8)} ships today: {{ "https://shop.example.com/orders/${"x".repeat(60)}" | track }}`;
    await api("/api/journeys", oneSend("stop-demo", long));
    await api("/api/journeys/stop-demo/publish", {});
    await api("/api/journeys/stop-demo/enroll", { userId: "ada" });
    await expect
      .poll(() => twilio.deliveries.filter((d) => d.to === phone).length, { timeout: 20_000 })
      .toBe(1);
    // Ada replies STOP; the enrollment is waiting (P1D) and hears it.
    const inbound = await twilio.sendInbound(`${ui.url}/v1/providers/twilio/inbound`, {
      from: phone,
      body: "STOP",
    });
    expect(inbound.status).toBe(200);

    // A support operator, signed in in a context of its own.
    const email = "sam@example.test";
    const { password } = await api<{ password: string }>("/api/operators", {
      email,
      role: "support",
    });
    const context = await ui.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const sp = await context.newPage();
    sp.setDefaultTimeout(15_000);
    const spErrors = watchErrors(sp);
    await sp.goto(ui.url);
    await sp.getByLabel("Email").fill(email);
    await sp.getByLabel("Password").fill(password);
    await sp.getByRole("button", { name: "Sign in" }).click();
    await sp.getByLabel("One-time password").fill(password);
    await sp.getByLabel("New password (12+ characters)").fill(`${password}-own`);
    await sp.getByRole("button", { name: "Save password" }).click();
    await sp.getByRole("heading", { name: "Journeys", exact: true }).waitFor();
    spErrors.length = 0;

    await sp.goto(`${ui.url}/contacts/ada`);
    const timeline = sp.getByRole("list", { name: "stop-demo timeline" });
    await expect
      .poll(() => timeline.textContent(), { timeout: 20_000 })
      .toContain("replied “STOP” → opted out of SMS (every category)");
    // Long lines wrap inside the timeline's column: nothing wider than it.
    const overflow = await timeline.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return [...el.querySelectorAll("*")].filter(
        (c) => c.getBoundingClientRect().right > box.right + 1,
      ).length;
    });
    expect(overflow).toBe(0);
    // The newest rows are at the bottom of the column, which scrolls.
    await timeline.evaluate((el) => {
      const column = el.closest(".enrollment-timeline");
      if (column) column.scrollTop = column.scrollHeight;
    });
    await sp
      .locator(".enrollment")
      .first()
      .screenshot({ path: join(ARTIFACTS, "inspector-timeline.png") });

    // Opt back in to SMS after the STOP: the reason is required.
    const form = sp.getByRole("form", { name: "Change opt-outs and consent" });
    await form.getByLabel("Action", { exact: true }).selectOption("opt_in");
    await form.getByLabel("Channel", { exact: true }).selectOption("sms");
    await form.getByLabel("Category", { exact: true }).selectOption("*");
    await form.getByRole("button", { name: "Apply" }).click();
    expect(
      await form
        .getByLabel("Reason", { exact: true })
        .evaluate((el) => (el as HTMLInputElement).validity.valid),
    ).toBe(false);
    await form.getByLabel("Reason", { exact: true }).fill("Called in, wants texts again");
    await form.getByRole("button", { name: "Apply" }).click();
    await sp.getByRole("status").getByText("Saved.").waitFor();
    await sp.getByText("Not opted out of anything.").waitFor();

    // Then out of promotional email, and consent withdrawn for SMS promotions.
    await form.getByLabel("Action", { exact: true }).selectOption("opt_out");
    await form.getByLabel("Channel", { exact: true }).selectOption("email");
    await form.getByLabel("Category", { exact: true }).selectOption("promotional");
    await form.getByLabel("Reason", { exact: true }).fill("Too many emails");
    await form.getByRole("button", { name: "Apply" }).click();
    await sp.getByText("Opted out of email · promotional", { exact: true }).waitFor();
    await form.getByLabel("Action", { exact: true }).selectOption("withdraw");
    await form.getByLabel("Channel", { exact: true }).selectOption("sms");
    await form.getByLabel("Category", { exact: true }).selectOption("promotional");
    await form.getByLabel("Reason", { exact: true }).fill("Asked on the phone");
    await form.getByRole("button", { name: "Apply" }).click();
    await expect
      .poll(() => sp.locator('[data-consent="sms.promotional"]').textContent())
      .toBe("✕ declined");

    const acts = sp.getByTestId("support-timeline");
    await expect.poll(() => acts.locator("li").count()).toBe(3);
    expect(await acts.locator("li").allTextContents()).toEqual([
      expect.stringContaining(
        "Withdrew consent for sms · promotional — “Asked on the phone”by sam@example.test",
      ),
      expect.stringContaining(
        "Opted out of email · promotional — “Too many emails”by sam@example.test",
      ),
      expect.stringContaining(
        "Opted back in to sms · all categories — “Called in, wants texts again”by sam@example.test",
      ),
    ]);
    await sp.screenshot({ path: join(ARTIFACTS, "support-acts.png"), fullPage: true });

    // Audited: who, what, why.
    const audit = await api<{ entries: { action: string; actor: { name: string } }[] }>(
      "/api/audit?subjectType=contact",
    );
    expect(audit.entries.map((e) => [e.action, e.actor.name])).toEqual([
      ["contact.consent", email],
      ["contact.opt_out", email],
      ["contact.opt_in", email],
    ]);
    expect(spErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
