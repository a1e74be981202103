import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDeliveryConfig } from "../../server/delivery/config.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { createLogger } from "../../server/log.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { startWorkers, type Workers } from "../../server/runtime/workers.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Tracked links the way production makes them: the workers `waymark start` runs (startWorkers,
 * configured from the environment) step a journey whose send carries a link, the link is stored
 * with the message and expires WAYMARK_LINK_TTL_DAYS later, and GET /l/:token on the app
 * redirects, counts the click and moves the journey's engagement branch. The editor's test send
 * mints and stores its links through the same module (server/delivery/links.ts).
 */

const DAY = 86_400_000;
const ENV = { WAYMARK_LINK_TTL_DAYS: "3" };
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/** Transactional SMS: no consent or quiet hours stand between the real clock and the send. */
function linkJourney(id: string, event: string, template: string, testList: string[] = []) {
  return {
    format: "waymark/journey@1",
    id,
    name: `Links ${id}`,
    settings: { testList },
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event } },
      { id: "sms1", type: "send", send: { channel: "sms", category: "transactional", template } },
      {
        id: "clicked",
        type: "branch",
        branch: { kind: "engagement", node: "sms1", signal: "clicked", within: "P1D" },
      },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "sms1" },
      { from: "sms1", to: "clicked" },
      { from: "clicked", to: "done", path: "yes" },
      { from: "clicked", to: "done", path: "no" },
    ],
  };
}

async function eventually<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe.each(databaseKinds)("tracked links, from the send step to the click, on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let workers: Workers;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, { now: () => new Date() }, ENV);
    for (const doc of [
      linkJourney(
        "links",
        "cart_abandoned",
        "Your cart: {{ 'https://shop.example/cart' | track }}",
        ["tester"],
      ),
      linkJourney("bad-link", "site_changed", "Your page: {{ user.site | track }}"),
    ]) {
      await createJourney(db.knex, doc, null);
      await publishJourney(db.knex, doc.id, null);
    }
    workers = await startWorkers({
      knex: db.knex,
      crypto: app.crypto,
      log: createLogger("silent"),
      delivery: loadDeliveryConfig(ENV),
      live: liveJourneyCache(db.knex),
      policy: policyCache(db.knex, "UTC", 0),
      fallbackLinkBase: app.url,
      workspaceTimezone: "UTC",
      audienceScanMs: 3_600_000,
      workerId: "links-test",
      databaseUrl: undefined,
      ticker: {},
    });
  });
  afterAll(async () => {
    await workers?.stop();
    await app?.close();
    await db?.close();
  });

  const identify = (userId: string, traits: Record<string, unknown> = {}) =>
    app.ingest("/v1/identify", {
      userId,
      traits: { phone: "+8613812345678", timezone: "Asia/Shanghai", ...traits },
    });

  const messageOf = (userId: string, journeyId: string) =>
    db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where({ "c.external_id": userId, "m.journey_id": journeyId })
      .first("m.id", "m.body", "m.created_at", "m.clicked_at", "m.is_test") as Promise<
      | { id: number; body: string; created_at: Date; clicked_at: Date | null; is_test: boolean }
      | undefined
    >;

  const linkOf = (body: string) => {
    const token = /\/l\/([\w-]{22})\b/.exec(body)?.[1] ?? "";
    return db
      .knex("link_tokens")
      .where({ token })
      .first("token", "url", "message_id", "expires_at") as Promise<
      { token: string; url: string; message_id: number; expires_at: Date } | undefined
    >;
  };

  const click = (url: string) =>
    fetch(url, { redirect: "manual", headers: { "user-agent": IPHONE } });

  it("a journey's send stores its link for WAYMARK_LINK_TTL_DAYS; the click redirects and answers the branch", async () => {
    expect((await identify("u1")).status).toBe(200);
    await app.ingest("/v1/track", { userId: "u1", event: "cart_abandoned", messageId: "c-1" });

    const message = await eventually("the ticker's message", () => messageOf("u1", "links"));
    expect(message.is_test).toBe(false);
    const short = /http:\/\/127\.0\.0\.1:\d+\/l\/[\w-]{22}/.exec(message.body)?.[0] ?? "";
    expect(short.startsWith(`${app.url}/l/`)).toBe(true);
    const link = await linkOf(message.body);
    expect(link && { url: link.url, message: Number(link.message_id) }).toEqual({
      url: "https://shop.example/cart",
      message: Number(message.id),
    });
    // Queued and stored in one batch at one `now`: the expiry is exactly the configured TTL.
    expect(new Date(link?.expires_at ?? 0).getTime() - new Date(message.created_at).getTime()).toBe(
      3 * DAY,
    );

    const res = await click(short);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://shop.example/cart");
    expect((await messageOf("u1", "links"))?.clicked_at).toBeInstanceOf(Date);
    // The click is an event the running ticker feeds to the engagement branch: yes, then exit.
    const ended = await eventually("the branch to take the click", async () => {
      const row = (await db
        .knex("enrollment_log as l")
        .join("contacts as c", "c.id", "l.contact_id")
        .where({ "c.external_id": "u1", "l.journey_id": "links", "l.type": "branched" })
        .first("l.data")) as { data: { path: string } } | undefined;
      return row?.data.path;
    });
    expect(ended).toBe("yes");
  });

  it("a link to anything but http(s) suppresses the send (template_error), stores nothing", async () => {
    expect((await identify("u2", { site: "javascript:alert(document.cookie)" })).status).toBe(200);
    await app.ingest("/v1/track", { userId: "u2", event: "site_changed", messageId: "s-1" });
    const suppressed = await eventually("the send to be decided", async () => {
      const row = (await db
        .knex("enrollment_log as l")
        .join("contacts as c", "c.id", "l.contact_id")
        .where({ "c.external_id": "u2", "l.journey_id": "bad-link", "l.type": "suppressed" })
        .first("l.reason", "l.detail")) as { reason: string; detail: string } | undefined;
      return row;
    });
    expect(suppressed.reason).toBe("template_error");
    expect(suppressed.detail).toMatch(/not an http\(s\) URL: javascript:alert/);
    expect(await messageOf("u2", "bad-link")).toBeUndefined();
    const [{ n }] = (await db.knex("link_tokens").count("* as n")) as [{ n: string | number }];
    expect(Number(n)).toBe(1);
  });

  it("a test send's link is minted, stored and expires like a customer's", async () => {
    expect((await identify("tester")).status).toBe(200);
    const res = await fetch(`${app.url}/api/journeys/links/test-send`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ nodeId: "sms1", contactId: "tester" }),
    });
    expect(res.status).toBe(201);
    const sent = (await res.json()) as { messageId: number; text: string };
    const message = await messageOf("tester", "links");
    expect(message && [Number(message.id), message.is_test]).toEqual([sent.messageId, true]);
    const link = await linkOf(sent.text);
    expect(link?.url).toBe("https://shop.example/cart");
    expect(Number(link?.message_id)).toBe(sent.messageId);
    expect(
      new Date(link?.expires_at ?? 0).getTime() - new Date(message?.created_at ?? 0).getTime(),
    ).toBe(3 * DAY);
    const clicked = await click(`${app.url}/l/${link?.token}`);
    expect([clicked.status, clicked.headers.get("location")]).toEqual([
      302,
      "https://shop.example/cart",
    ]);
  });
});
