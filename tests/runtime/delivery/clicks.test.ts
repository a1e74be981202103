import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLinkPreviewBot } from "../../../server/delivery/bots.ts";
import { linkMinter, linksCarried, storeLinks } from "../../../server/delivery/links.ts";
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

  /**
   * A message with tracked links, through the functions the ticker and the test send use
   * (server/delivery/links.ts): mint while rendering, keep the links the body carries, store
   * them once the message has its id. tests/runtime/links.test.ts runs the whole way from a
   * journey's send step.
   */
  async function trackedMessage(urls: string[], now = new Date(), ttlMs = 30 * 86_400_000) {
    const contact = await insertContact(f);
    const minter = linkMinter(routes.url);
    const short = urls.map((u) => minter.trackLink(u));
    const body = `Your coupon: ${short.join(" ")}`;
    const msg = await insertMessage(f, contact.id, { body });
    const links = linksCarried(minter.minted(), body, null);
    expect(
      await storeLinks(f.knex, [{ messageId: msg.id, contactId: contact.id, links }], now, ttlMs),
    ).toBe(urls.length);
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
    const minter = linkMinter(routes.url);
    for (const url of ["javascript:alert(1)", "data:text/html,hi", "shop.example/cart", ""]) {
      expect(() => minter.trackLink(url), url).toThrow(/not an http\(s\) URL/);
    }
    expect(minter.minted()).toEqual([]);
    minter.trackLink("https://shop.example/ok");
    expect(minter.minted().map((l) => l.url)).toEqual(["https://shop.example/ok"]);
  });

  it("keeps only the links a message carries: its text, an email's HTML, a webhook's request", () => {
    const minter = linkMinter(routes.url);
    const [a, b, c, d] = ["a", "b", "c", "d"].map((p) =>
      minter.trackLink(`https://shop.example/${p}`),
    );
    const urls = (links: { url: string }[]) => links.map((l) => l.url.slice(-1));
    const minted = minter.minted();
    // A link minted for a send that was then suppressed is in no message: not stored.
    expect(urls(linksCarried(minted, `text ${a}`, null))).toEqual(["a"]);
    const email = {
      subject: "s",
      html: `<a href="${b}">b</a>`,
      preheader: null,
      from: null,
      replyTo: null,
    };
    expect(urls(linksCarried(minted, "text only", email))).toEqual(["b"]);
    const webhook = {
      method: "POST" as const,
      url: `https://hooks.example/x?next=${c}`,
      headers: { "x-link": d ?? "" },
      body: JSON.stringify({ link: a }),
    };
    expect(urls(linksCarried(minted, "", webhook))).toEqual(["a", "c", "d"]);
    minter.clear();
    expect(linksCarried(minter.minted(), `text ${a}`, null)).toEqual([]);
  });
});
