import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, signIn, watchErrors } from "../helpers/browser.ts";
import { newSubscriber, startPushService } from "../helpers/fake-push.ts";
import { runCli, type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Issue 19 in Chromium: a push send's form has its title, icon and click URL, and previews the
 * notification as a sample contact gets it, with the payload's size; an SMS send shows none of
 * it. And `waymark start` with the keys `waymark vapid-keys` printed pushes a published journey
 * to a subscription registered with a write key (the push service trusts-by-CA through
 * NODE_EXTRA_CA_CERTS, as a private push gateway would be).
 */
describe.runIf(chromiumPath)("the push send form in Chromium", () => {
  let server: Started;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let service: Awaited<ReturnType<typeof startPushService>>;

  beforeAll(async () => {
    service = await startPushService();
    const keys = await runCli(["vapid-keys", "--subject", "mailto:ops@shop.example"], {});
    expect(keys.code).toBe(0);
    const vapid = Object.fromEntries(
      keys.stdout
        .split("\n")
        .filter((l) => l.startsWith("WAYMARK_"))
        .map((l) => l.split("=") as [string, string]),
    );
    [server, browser] = await Promise.all([
      startWaymark({
        WAYMARK_DATA_DIR: tempDir(),
        WAYMARK_DEMO_SEED: "false",
        ...vapid,
        WAYMARK_PUSH_ALLOW_HOSTS: "127.0.0.1",
        NODE_EXTRA_CA_CERTS: join(import.meta.dirname, "../helpers/push-tls/cert.pem"),
      }),
      launchBrowser(),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    errors = watchErrors(page);
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await service?.close();
  });

  const inspector = () => page.getByRole("complementary", { name: "Inspector" });
  const node = (id: string) => page.getByTestId(`node-${id}`);
  async function create(doc: unknown) {
    const res = await page.request.post(`${server.url}/api/journeys`, { data: doc });
    expect(res.status()).toBe(201);
  }
  async function openSend(journeyId: string, nodeId: string) {
    await page.goto(`${server.url}/journeys/${journeyId}`);
    await node(nodeId).locator(".wm-node-title").click();
    await inspector().getByText(nodeId, { exact: true }).waitFor();
  }
  const oneSend = (id: string, send: Record<string, unknown>) => ({
    format: "waymark/journey@1",
    id,
    name: id,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "api" } },
      { id: "send1", type: "send", send },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "send1" },
      { from: "send1", to: "done" },
    ],
  });

  it("shows the push fields and previews the notification rendered, with its size", async () => {
    await create(
      oneSend("push-form", {
        channel: "push",
        category: "promotional",
        template: "Your {{ event.item }} is still in your cart. Free shipping ends at midnight.",
        push: {
          title: "{{ user.firstName }}, you left something behind",
          icon: "https://cdn.shop.example/icons/cart.png",
          url: "https://shop.example.com/cart?ref=push",
        },
      }),
    );
    await openSend("push-form", "send1");
    const panel = inspector();
    await expect
      .poll(() => panel.getByTestId("push-title").textContent())
      .toBe("Alex, you left something behind");
    expect(await panel.getByTestId("push-body").textContent()).toBe(
      "Your Trail runners is still in your cart. Free shipping ends at midnight.",
    );
    expect(await panel.getByLabel("Title").inputValue()).toBe(
      "{{ user.firstName }}, you left something behind",
    );
    expect(await panel.getByLabel("Icon URL").inputValue()).toBe(
      "https://cdn.shop.example/icons/cart.png",
    );
    expect(await panel.getByTestId("push-stats").textContent()).toMatch(/Payload\d+ B/);
    expect(await panel.getByTestId("push-click").textContent()).toContain("tracked link");
    // The card names where a click lands, not the tracked link it goes through.
    expect(await panel.getByTestId("push-card").textContent()).toContain("shop.example.com");

    // Typing in the title re-renders the preview.
    await panel.getByLabel("Title").fill("Still thinking it over, {{ user.firstName }}?");
    await expect
      .poll(() => panel.getByTestId("push-title").textContent())
      .toBe("Still thinking it over, Alex?");
    // An http icon is refused on the node, as validation paints it.
    await panel.getByLabel("Icon URL").fill("http://cdn.shop.example/cart.png");
    await expect
      .poll(() => page.getByText(/the icon must be an https:\/\/ URL/).count())
      .toBeGreaterThan(0);
    await panel.getByLabel("Icon URL").fill("https://cdn.shop.example/icons/cart.png");
    await panel.getByLabel("Title").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "push-send-fields.png") });
    await panel.getByLabel("Push preview").scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, "push-send-form.png") });
    expect(errors).toEqual([]);
  });

  it("an SMS send has no push fields", async () => {
    await create(oneSend("sms-only", { channel: "sms", category: "promotional", template: "Hi" }));
    await openSend("sms-only", "send1");
    await inspector().getByLabel("SMS preview").waitFor();
    expect(await inspector().getByLabel("Icon URL").count()).toBe(0);
    expect(await inspector().getByLabel("Push preview").count()).toBe(0);
  });

  it("the running server pushes a published journey to a subscription registered with a write key", async () => {
    const post = async (path: string, data: unknown, headers: Record<string, string> = {}) => {
      const res = await page.request.post(`${server.url}${path}`, { data, headers });
      return { status: res.status(), body: (await res.json()) as Record<string, unknown> };
    };
    const key = await post("/api/keys", { kind: "write", name: "push test" });
    expect(key.status).toBe(201);
    const basic = `Basic ${Buffer.from(`${String(key.body.key)}:`).toString("base64")}`;
    const browserSide = newSubscriber(`${service.origin}/live/1`);
    const sub = await post(
      "/v1/push/subscriptions",
      { userId: "push-1", subscription: browserSide.json },
      { authorization: basic },
    );
    expect(sub.status).toBe(200);
    await create(
      oneSend("push-live", {
        channel: "push",
        category: "transactional",
        template: "It arrives tomorrow.",
        push: { title: "Order shipped", url: "https://shop.example.com/orders" },
      }),
    );
    expect((await post("/api/journeys/push-live/publish", {})).status).toBe(200);
    expect((await post("/api/journeys/push-live/enroll", { userId: "push-1" })).status).toBe(201);
    await expect.poll(() => service.received.length, { timeout: 15_000 }).toBe(1);
    const sent = browserSide.decrypt(service.received[0]?.body ?? Buffer.alloc(0)) as {
      title: string;
      body: string;
      url: string;
    };
    expect(sent.title).toBe("Order shipped");
    expect(sent.body).toBe("It arrives tomorrow.");
    expect(sent.url).toMatch(new RegExp(`^${server.url}/l/[A-Za-z0-9_-]+$`));
  });
});
