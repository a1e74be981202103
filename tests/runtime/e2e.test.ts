import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { DatabaseKind } from "../../server/db/connect.ts";
import { createPostgresDatabase, databaseKinds } from "../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.ts";
import { runCli, type Started, startWaymark, tempDir } from "../helpers/server-process.ts";
import { middayZone, until } from "../helpers/time.ts";

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

const JOURNEY = {
  format: "waymark/journey@1",
  id: "cart-e2e",
  name: "Cart reminder (end to end)",
  settings: { exitOn: [{ event: "purchased" }], goal: { event: "purchased", within: "P7D" } },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "PT2S" } },
    {
      id: "sms1",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, your cart: {{ 'https://shop.example/cart' | track }}",
      },
    },
    {
      id: "clicked",
      type: "branch",
      branch: { kind: "engagement", node: "sms1", signal: "opened", within: "P2D" },
    },
    { id: "thanks", type: "wait", wait: { kind: "duration", duration: "P1D" } },
    {
      id: "sms2",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "Still thinking it over?" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms1" },
    { from: "sms1", to: "clicked" },
    { from: "clicked", to: "thanks", path: "yes" },
    { from: "clicked", to: "sms2", path: "no" },
    { from: "thanks", to: "done" },
    { from: "sms2", to: "done" },
  ],
};

describe.each(databaseKinds)("end to end through the real server on %s", (kind: DatabaseKind) => {
  let twilio: FakeTwilio;
  let server: Started | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await server?.stop();
    await twilio?.close();
    await dropDb?.();
  });

  it("identify → track → wait → SMS at the provider → delivered → click → yes → purchase → exit", async () => {
    twilio = await startFakeTwilio();
    const port = await freePort();
    const env: Record<string, string> = {
      WAYMARK_DATA_DIR: tempDir(),
      WAYMARK_DEMO_SEED: "false",
      WAYMARK_SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: "+12025550100",
      TWILIO_BASE_URL: twilio.baseUrl,
      WAYMARK_PUBLIC_URL: `http://127.0.0.1:${port}`,
      WAYMARK_DELIVERY_POLL_MS: "100",
      PORT: String(port),
    };
    if (kind === "postgres") {
      const pg = await createPostgresDatabase();
      env.DATABASE_URL = pg.url;
      dropDb = pg.drop;
    }
    const writeKey = (await runCli(["keys", "create", "--kind", "write"], env)).stdout.trim();
    const secretKey = (await runCli(["keys", "create", "--kind", "secret"], env)).stdout.trim();
    expect(writeKey).toMatch(/^wk_/);
    expect(secretKey).toMatch(/^sk_/);
    server = await startWaymark(env);
    const base = server.url;
    const admin = { authorization: `Bearer ${secretKey}`, "content-type": "application/json" };
    const ingest = {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
      "content-type": "application/json",
    };

    expect(
      (
        await fetch(`${base}/api/journeys`, {
          method: "POST",
          headers: admin,
          body: JSON.stringify(JOURNEY),
        })
      ).status,
    ).toBe(201);
    const published = await fetch(`${base}/api/journeys/cart-e2e/publish`, {
      method: "POST",
      headers: admin,
    });
    expect(published.status).toBe(200);

    const zone = middayZone();
    const identify = await fetch(`${base}/v1/identify`, {
      method: "POST",
      headers: ingest,
      body: JSON.stringify({
        userId: "e2e-1",
        traits: { firstName: "Mei", phone: "+12025550123", timezone: zone },
        consent: { sms: { promotional: true } },
      }),
    });
    expect(identify.status).toBe(200);
    await fetch(`${base}/v1/track`, {
      method: "POST",
      headers: ingest,
      body: JSON.stringify({ userId: "e2e-1", event: "cart_abandoned", messageId: "cart-1" }),
    });

    // The SMS reaches the provider after the 2 s wait, carrying its provider key (a UUID,
    // unique across installs; the outbox's own key e<enrollment>:sms1:1 stays inside).
    const delivery = await until("the SMS at the fake provider", async () => twilio.deliveries[0]);
    expect(delivery.to).toBe("+12025550123");
    expect(delivery.body).toMatch(
      /^Hi Mei, your cart: http:\/\/127\.0\.0\.1:\d+\/l\/[\w-]+\nReply STOP to opt out$/,
    );
    expect(delivery.token).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );

    // Twilio reports it delivered; then the recipient clicks the tracked link.
    expect((await twilio.sendStatus(delivery.sid, "delivered")).status).toBe(204);
    const link = /(http:\/\/\S+\/l\/[\w-]+)/.exec(delivery.body)?.[1] ?? "";
    const click = await fetch(link, {
      redirect: "manual",
      headers: {
        "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
      },
    });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://shop.example/cart");

    const inspector = async () =>
      (await (await fetch(`${base}/api/contacts/e2e-1/journeys`, { headers: admin })).json()) as {
        enrollments: {
          status: string;
          currentNode: string;
          exitReason: string | null;
          timeline: { type: string; nodeId: string; path?: string; messageStatus?: string }[];
        }[];
      };
    await until(
      "the yes branch",
      async () => (await inspector()).enrollments[0]?.currentNode === "thanks",
    );

    await fetch(`${base}/v1/track`, {
      method: "POST",
      headers: ingest,
      body: JSON.stringify({
        userId: "e2e-1",
        event: "purchased",
        messageId: "buy-1",
        properties: { amount: 59 },
      }),
    });
    const final = await until("the exit", async () => {
      const e = (await inspector()).enrollments[0];
      return e?.status === "exited" ? e : undefined;
    });
    expect(final.exitReason).toBe("exit_on");
    const story = final.timeline.map((t) => `${t.type}:${t.nodeId}${t.path ? `:${t.path}` : ""}`);
    expect(story).toEqual([
      "entered:start",
      "waiting:wait1",
      "sent:sms1",
      "waiting:clicked",
      "event:clicked",
      "branched:clicked:yes",
      "waiting:thanks",
      "event:thanks",
      "converted:thanks",
      "exited:thanks",
    ]);
    expect(final.timeline.find((t) => t.type === "sent")?.messageStatus).toBe("delivered");
    expect(twilio.deliveries).toHaveLength(1);
  }, 90_000);
});
