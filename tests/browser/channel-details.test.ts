import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { type FakeAliyun, startFakeAliyun } from "../helpers/fake-aliyun.ts";
import { newSubscriber, startPushService } from "../helpers/fake-push.ts";
import {
  allChannelsJourney,
  TOKEN_IN_HEADER,
  TOKEN_IN_QUERY,
} from "../runtime/delivery/all-channels.ts";
import { IPHONE, startSmtp } from "../runtime/delivery/email-fixtures.ts";

/**
 * Issue 19 in Chromium: a running `waymark start` sends one journey's email (SMTP), template
 * SMS (fake Aliyun), push (fake push service) and webhook; a machine and then a person fetch
 * the email's pixel; the contact's page shows each send with its channel's facts (subject and
 * sender, template code, sign name and parameters, push title, destination and browser) and
 * the opens as rows of their own, in English and in Chinese, without the webhook's secrets.
 */

const MACHINE = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";

describe.runIf(chromiumPath)("a contact's timeline shows each channel's details", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let aliyun: FakeAliyun;
  let push: Awaited<ReturnType<typeof startPushService>>;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  let receiverBase = "";
  const vapid = webpush.generateVAPIDKeys();
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false", WAYMARK_EMAIL_FROM: "Shop <news@shop.example>" },
    prepare: async () => {
      [smtp, aliyun, push] = await Promise.all([
        startSmtp(),
        startFakeAliyun(),
        startPushService(),
      ]);
      await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
      receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      return {
        WAYMARK_SMTP_URL: smtp.url,
        WAYMARK_SMS_PROVIDER: "aliyun",
        ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret,
        ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
        WAYMARK_VAPID_PUBLIC_KEY: vapid.publicKey,
        WAYMARK_VAPID_PRIVATE_KEY: vapid.privateKey,
        WAYMARK_VAPID_SUBJECT: "mailto:ops@shop.example",
        WAYMARK_PUSH_ALLOW_HOSTS: "127.0.0.1",
        NODE_EXTRA_CA_CERTS: join(import.meta.dirname, "../helpers/push-tls/cert.pem"),
        WAYMARK_WEBHOOK_URL: `${receiverBase}/envelope`,
        WAYMARK_WEBHOOK_SECRET: "webhook-secret-0123456789",
        WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
      };
    },
    page: { viewport: { width: 1280, height: 1100 } },
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((ok) => receiver.close(() => ok()));
    await Promise.all([smtp?.close(), aliyun?.close(), push?.close()]);
  });

  it("email (subject, opened, the machine's open marked), template SMS, push and webhook, in both languages", async () => {
    const { api, ingest, page } = ui;
    await ui.create(allChannelsJourney("every", "all_shipped", receiverBase));
    await api("/api/journeys/every/publish", {});
    const subscriber = newSubscriber(`${push.origin}/browser/ada`);
    await ingest("/v1/identify", {
      userId: "ada",
      traits: { email: "ada@inbox.example", phone: "+8613900007777", timezone: "Asia/Shanghai" },
    });
    await ingest("/v1/push/subscriptions", { userId: "ada", subscription: subscriber.json });
    await ingest("/v1/track", {
      userId: "ada",
      event: "all_shipped",
      properties: { order: "A-7" },
    });

    await expect.poll(() => smtp.accepted.length, { timeout: 30_000 }).toBe(1);
    const pixel = /<img src="([^"]+)"/.exec(String(smtp.accepted[0]?.html))?.[1] ?? "";
    expect((await fetch(pixel, { headers: { "user-agent": MACHINE } })).status).toBe(200);
    expect((await fetch(pixel, { headers: { "user-agent": IPHONE } })).status).toBe(200);
    type Journeys = { enrollments: { timeline: { type: string; message?: unknown }[] }[] };
    await expect
      .poll(
        async () => {
          const rows = (await api<Journeys>("/api/contacts/ada/journeys")).enrollments[0]?.timeline;
          return JSON.stringify(rows ?? []).match(/"type":"opened"|"service":/g)?.length ?? 0;
        },
        { timeout: 30_000 },
      )
      .toBe(3);

    await page.goto(`${ui.url}/contacts/ada`);
    const timeline = page.getByTestId("timeline");
    await timeline.waitFor();
    const text = async () => (await timeline.textContent()) ?? "";
    await expect.poll(text).toContain("Order A-7 is on its way");
    const t = await text();
    expect(t).toContain("Shop <orders@shop.example>");
    expect(t).toContain("opened the email “Order A-7 is on its way”");
    expect(t).toContain("a machine open, not counted");
    expect(t).toContain("SMS_154950909");
    expect(t).toContain("阿里云");
    expect(t).toContain("order = A-7");
    expect(t).toContain("Order A-7 shipped");
    expect(t).toContain("https://shop.example/track/A-7");
    expect(t).toContain(new URL(push.origin).host);
    expect(t).toContain(`PUT ${receiverBase}/orders/A-7?token=…`);
    expect(await page.content()).not.toContain(TOKEN_IN_QUERY);
    expect(await page.content()).not.toContain(TOKEN_IN_HEADER);
    const opened = timeline.locator('li[data-type="opened"]');
    expect(await opened.count()).toBe(2);
    expect(await timeline.getByTestId("channel-details").count()).toBe(4);
    await page.screenshot({ path: join(ARTIFACTS, "channel-details-en.png"), fullPage: true });
    // The push, the webhook and the two opens, further down the timeline's own scroll.
    await opened.last().scrollIntoViewIfNeeded();
    await timeline.screenshot({ path: join(ARTIFACTS, "channel-details-opens-en.png") });

    // The outbox lists the same facts, the email's open with it.
    await page.goto(`${ui.url}/messages`);
    const table = page.getByTestId("messages-table");
    await table.waitFor();
    await expect.poll(async () => (await table.textContent()) ?? "").toContain("SMS_154950909");
    expect(await table.getByTestId("channel-details").count()).toBe(4);
    await page.screenshot({
      path: join(ARTIFACTS, "channel-details-messages.png"),
      fullPage: true,
    });

    await page.goto(`${ui.url}/contacts/ada`);
    await page.getByRole("combobox", { name: /^(Language|语言)$/ }).selectOption("zh-CN");
    await expect.poll(text).toContain("打开了邮件“Order A-7 is on its way”");
    const zh = await text();
    expect(zh).toContain("机器打开，不计入");
    expect(zh).toContain("签名");
    expect(zh).toContain("已接收的浏览器");
    await page.screenshot({ path: join(ARTIFACTS, "channel-details-zh-CN.png"), fullPage: true });
    await opened.last().scrollIntoViewIfNeeded();
    await timeline.screenshot({ path: join(ARTIFACTS, "channel-details-opens-zh-CN.png") });
    // Back to English for whoever signs in next.
    await page.getByRole("combobox", { name: /^(Language|语言)$/ }).selectOption("en");
    expect(ui.errors).toEqual([]);
  });
});
