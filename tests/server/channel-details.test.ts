import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviders } from "../../server/delivery/providers/index.ts";
import { databaseKinds } from "../helpers/databases.ts";
import { type FakeAliyun, startFakeAliyun } from "../helpers/fake-aliyun.ts";
import { newSubscriber, PUSH_CA, startPushService } from "../helpers/fake-push.ts";
import {
  allChannelsJourney,
  TOKEN_IN_HEADER,
  TOKEN_IN_QUERY,
} from "../runtime/delivery/all-channels.ts";
import { channelHarness, silent } from "../runtime/delivery/channel-harness.ts";
import { IPHONE, startSmtp } from "../runtime/delivery/email-fixtures.ts";
import { PUSH_ENV } from "../runtime/delivery/push-fixtures.ts";

/**
 * Issue 19: the inspector's timeline and the outbox show each message as its channel has it.
 * One journey sends an email, a template SMS, a push and a webhook through the real providers
 * (SMTP server, fake Aliyun, fake push service, an HTTP receiver); a machine and then a person
 * fetch the email's pixel. The contact's journeys answer carries the email's subject, sender
 * and both opens (as rows of their own, the machine's marked), the template's code, sign name
 * and filled parameters, the push's title, destination and accepting service, and the
 * webhook's method and URL, never its query values or headers.
 */

const MACHINE = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";

type Row = {
  type: string;
  nodeId: string | null;
  at: string;
  machine?: boolean;
  message?: Record<string, unknown>;
};

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let aliyun: FakeAliyun;
let push: Awaited<ReturnType<typeof startPushService>>;
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
});
let receiverBase = "";
beforeAll(async () => {
  [smtp, aliyun, push] = await Promise.all([startSmtp(), startFakeAliyun(), startPushService()]);
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((ok) => receiver.close(() => ok()));
  await Promise.all([smtp?.close(), aliyun?.close(), push?.close()]);
});

describe.each(databaseKinds)("channel details in the inspector on %s", (kind) => {
  const h = channelHarness(kind, {
    workerId: "details-test",
    env: () => ({
      ...PUSH_ENV,
      WAYMARK_SMTP_URL: smtp.url,
      WAYMARK_EMAIL_FROM: "Shop <news@shop.example>",
      WAYMARK_SMS_PROVIDER: "aliyun",
      ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret,
      ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
      WAYMARK_WEBHOOK_URL: `${receiverBase}/envelope`,
      WAYMARK_WEBHOOK_SECRET: "webhook-secret-0123456789",
      WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
    }),
    providers: (config, { db, app }) =>
      createProviders(
        config,
        silent,
        { crypto: app.crypto, linkBase: app.url },
        { knex: db.knex, crypto: app.crypto, ca: PUSH_CA },
      ),
    journeys: () => [allChannelsJourney("every", "all_shipped", receiverBase)],
  });
  const api = async (path: string) => {
    const res = await fetch(`${h.app.url}${path}`, {
      headers: { authorization: `Bearer ${h.app.secretKey}` },
    });
    expect(res.status).toBe(200);
    return { text: await res.clone().text(), json: (await res.json()) as Record<string, unknown> };
  };

  it("shows every channel's own facts on the sent rows, the opens as rows, and no secrets", async () => {
    const userId = `ada-${kind}`;
    await h.enter(userId, "all_shipped", {
      email: `${userId}@inbox.example`,
      phone: "+8613900007777",
      timezone: "Asia/Shanghai",
    });
    const subscriber = newSubscriber(`${push.origin}/${kind}/ada`);
    await h.app.ingest("/v1/push/subscriptions", { userId, subscription: subscriber.json });
    await h.worker.drainOnce();
    await h.worker.drainOnce();
    const mail = smtp.accepted.find(
      (m) => !Array.isArray(m.to) && m.to?.text === `${userId}@inbox.example`,
    );
    const pixel = /<img src="([^"]+)"/.exec(String(mail?.html))?.[1] ?? "";
    expect(pixel).not.toBe("");
    const sentAt = h.clock.now().getTime();
    h.clock.advance(60_000);
    expect((await fetch(pixel, { headers: { "user-agent": MACHINE } })).status).toBe(200);
    h.clock.advance(60_000);
    expect((await fetch(pixel, { headers: { "user-agent": IPHONE } })).status).toBe(200);
    h.clock.advance(60_000);
    expect((await fetch(pixel, { headers: { "user-agent": MACHINE } })).status).toBe(200);

    const { text, json } = await api(`/api/contacts/${userId}/journeys`);
    expect(text).not.toContain(TOKEN_IN_QUERY);
    expect(text).not.toContain(TOKEN_IN_HEADER);
    const [enrollment] = json.enrollments as { timeline: Row[] }[];
    const rows = enrollment?.timeline ?? [];
    const sent = (nodeId: string) => rows.find((r) => r.type === "sent" && r.nodeId === nodeId);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(sent("mail")?.message).toEqual({
      channel: "email",
      subject: "Order A-7 is on its way",
      from: "Shop <orders@shop.example>",
      openedAt: iso(sentAt + 120_000),
      machineOpenedAt: iso(sentAt + 60_000),
    });
    expect(sent("text")?.message).toEqual({
      channel: "sms",
      template: {
        code: "SMS_154950909",
        signName: "阿里云",
        params: [{ name: "order", value: "A-7" }],
      },
    });
    expect(sent("ping")?.message).toEqual({
      channel: "push",
      title: "Order A-7 shipped",
      clickUrl: "https://shop.example/track/A-7",
      accepted: [{ service: new URL(push.origin).host, at: expect.any(String) }],
    });
    expect(sent("crm")?.message).toEqual({
      channel: "webhook",
      method: "PUT",
      url: `${receiverBase}/orders/A-7?token=…`,
    });
    // The opens are rows of their own, in time order after the sends, the machine's marked.
    const opens = rows.filter((r) => r.type === "opened");
    expect(opens.map((r) => [r.nodeId, r.at, r.machine])).toEqual([
      ["mail", iso(sentAt + 60_000), true],
      ["mail", iso(sentAt + 120_000), false],
    ]);
    const order = rows.map((r) => r.type);
    expect(order.indexOf("opened")).toBeGreaterThan(order.lastIndexOf("sent"));

    // The outbox shows the same facts, message by message.
    const contactId = (await api(`/api/contacts/${userId}`)).json.contact as { id: number };
    const outbox = (await api(`/api/messages?contact=${contactId.id}`)).json.messages as {
      nodeId: string;
      details: unknown;
    }[];
    for (const node of ["mail", "text", "ping", "crm"]) {
      expect(outbox.find((m) => m.nodeId === node)?.details).toEqual(sent(node)?.message);
    }
  });
});
