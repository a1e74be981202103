import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLinkPreviewBot } from "../../../server/delivery/bots.ts";
import { insertLinkTokens, linkCollector, linkTokenRows } from "../../../server/delivery/links.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import {
  type DeliveryFixture,
  events,
  insertContact,
  insertMessage,
  message,
  openDeliveryFixture,
  type RoutesServer,
  startRoutes,
} from "./fixtures.ts";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const ANDROID =
  "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const BOTS = [
  "facebookexternalhit/1.1 Facebot Twitterbot/1.0", // iMessage's link preview
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
  "WhatsApp/2.23.20.0",
  "TelegramBot (like TwitterBot)",
  "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
  "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
  "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];

describe("link-preview bot detection", () => {
  it("knows the preview bots and lets phone browsers through", () => {
    for (const ua of BOTS) expect(isLinkPreviewBot(ua), ua).toBe(true);
    expect(isLinkPreviewBot(undefined)).toBe(true);
    expect(isLinkPreviewBot("node")).toBe(true);
    expect(isLinkPreviewBot("curl/8.5.0")).toBe(true);
    expect(isLinkPreviewBot(IPHONE)).toBe(false);
    expect(isLinkPreviewBot(ANDROID)).toBe(false);
  });
});

describe.each(databaseKinds)("tracked links on %s", (kind) => {
  let f: DeliveryFixture;
  let routes: RoutesServer;

  beforeAll(async () => {
    f = await openDeliveryFixture(kind);
    routes = await startRoutes(f, null);
  });
  afterAll(async () => {
    await routes?.close();
    await f?.db.close();
  });

  /** A message with tracked links minted the way the ticker does: render first, ids after. */
  async function trackedMessage(urls: string[], now = new Date(), ttlMs?: number) {
    const contact = await insertContact(f);
    const collector = linkCollector(routes.url);
    const short = urls.map((u) => collector.trackLink(u));
    const msg = await insertMessage(f, contact.id, { body: `Your coupon: ${short.join(" ")}` });
    const rows = linkTokenRows(
      [{ messageId: msg.id, contactId: contact.id, urls: collector.links() }],
      now,
      ttlMs,
    );
    expect(await insertLinkTokens(f.knex, rows)).toBe(urls.length);
    return { contact, msg, short };
  }

  const click = (url: string, ua: string | null, accept = "*/*") =>
    fetch(url, { redirect: "manual", headers: { accept, ...(ua ? { "user-agent": ua } : {}) } });

  it("counts a browser click once, stamps clicked_at on the first, and redirects (302) every time", async () => {
    const { contact, msg, short } = await trackedMessage([
      "https://shop.example/cart?coupon=50OFF",
      "https://shop.example/help",
    ]);
    expect(short[0]).toMatch(new RegExp(`^${routes.url}/l/[A-Za-z0-9_-]{22}$`));
    const first = await click(short[0] ?? "", IPHONE);
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("https://shop.example/cart?coupon=50OFF");
    expect(first.headers.get("cache-control")).toBe("no-store");
    const clickedAt = (await message(f, msg.id)).clicked_at;
    expect(clickedAt).toBeInstanceOf(Date);

    // Again, and the other link of the same message, from another phone: still one click.
    expect((await click(short[0] ?? "", ANDROID)).status).toBe(302);
    const other = await click(short[1] ?? "", IPHONE);
    expect(other.headers.get("location")).toBe("https://shop.example/help");
    expect((await message(f, msg.id)).clicked_at).toEqual(clickedAt);
    const clicked = await events(f, contact.id, "message.clicked");
    expect(clicked).toEqual([
      {
        name: "message.clicked",
        message_id: `click:${msg.id}`,
        properties: {
          nodeId: "send1",
          journeyId: "j-delivery",
          messageId: msg.id,
          url: "https://shop.example/cart?coupon=50OFF",
        },
      },
    ]);
  });

  it("redirects link-preview bots and HEAD requests without recording a click", async () => {
    const { contact, msg, short } = await trackedMessage(["https://shop.example/p/1"]);
    const url = short[0] ?? "";
    for (const ua of BOTS) {
      const res = await click(url, ua);
      expect(res.status).toBe(302);
    }
    expect((await click(url, null)).status).toBe(302);
    const head = await fetch(url, {
      method: "HEAD",
      redirect: "manual",
      headers: { "user-agent": IPHONE },
    });
    expect(head.status).toBe(302);
    expect((await message(f, msg.id)).clicked_at).toBeNull();
    expect(await events(f, contact.id)).toEqual([]);
  });

  it("answers 404 for an expired or unknown token: JSON for API clients, a page for browsers", async () => {
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    const { contact, short } = await trackedMessage(
      ["https://shop.example/old"],
      longAgo,
      30 * 86_400_000,
    );
    const expired = await click(short[0] ?? "", IPHONE, "application/json");
    expect(expired.status).toBe(404);
    expect(await expired.json()).toMatchObject({ error: { code: "link_not_found" } });
    const page = await click(short[0] ?? "", IPHONE, "text/html,application/xhtml+xml,*/*;q=0.8");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("This link has expired");
    expect((await click(`${routes.url}/l/not-a-token`, IPHONE)).status).toBe(404);
    expect((await click(`${routes.url}/l/${"A".repeat(22)}`, IPHONE)).status).toBe(404);
    expect(await events(f, contact.id)).toEqual([]);
  });

  it("refuses to mint links to anything but http(s)", () => {
    const collector = linkCollector(routes.url);
    expect(() => collector.trackLink("javascript:alert(1)")).toThrow(/http/);
    expect(() =>
      linkTokenRows([{ messageId: 1, contactId: 1, urls: ["data:text/html,hi"] }], new Date()),
    ).toThrow();
  });
});
