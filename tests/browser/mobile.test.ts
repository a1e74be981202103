import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, signIn, watchErrors } from "../helpers/browser.ts";
import { type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Issue #16, "usable at 390 px wide": on an iPhone-sized viewport (390 × 844) the console's
 * pages fit the width — no horizontal page scroll (wide tables scroll inside their own box) —
 * and the header collapses to the brand, the sections and the account. The demo workspace gives
 * every page real content: journeys, 10,000 contacts, an A/B test's results, a seeded inspector.
 */
const WIDTH = 390;

describe.runIf(chromiumPath)("the console at 390 px wide", () => {
  let server: Started;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let contact = "";

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startWaymark({ WAYMARK_DATA_DIR: tempDir() }, 120_000),
      launchBrowser(),
    ]);
    page = await browser.newPage({
      viewport: { width: WIDTH, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    errors = watchErrors(page);
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;
    // A contact of the seeded A/B test: the inspector has an enrollment and a message to show.
    const res = await page.request.get(`${server.url}/api/messages?journey=send-time-ab&limit=1`);
    const { messages } = (await res.json()) as { messages: { contact: string }[] };
    contact = messages[0]?.contact ?? "";
    expect(contact).not.toBe("");
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * How wide the page scrolls, and the element reaching furthest right outside any box that
   * clips or scrolls it (a wide table inside its own scroller is fine) — what to fix.
   */
  async function measure() {
    return page.evaluate((width) => {
      const scroller = document.scrollingElement ?? document.documentElement;
      const clipped = (el: Element): boolean => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (getComputedStyle(p).overflowX !== "visible") return true;
        }
        return false;
      };
      let widest = "";
      let right = width;
      for (const el of Array.from(document.querySelectorAll("body *"))) {
        const r = el.getBoundingClientRect();
        if (r.right > right + 0.5 && r.width > 0 && !clipped(el)) {
          right = r.right;
          widest = `${el.tagName.toLowerCase()}.${String(el.className)}`;
        }
      }
      return { scrollWidth: scroller.scrollWidth, widest, right: Math.round(right) };
    }, WIDTH);
  }

  /** The screenshot is the first screen, as a phone shows it; `fullPage` for stacked layouts. */
  async function check(name: string, path: string, ready: () => Promise<void>, fullPage = false) {
    await page.goto(`${server.url}${path}`);
    await ready();
    await page.screenshot({ path: join(ARTIFACTS, `mobile-${name}.png`), fullPage });
    const m = await measure();
    expect(m.scrollWidth, `${name}: widest ${m.widest} reaches ${m.right}px`).toBeLessThanOrEqual(
      WIDTH,
    );
  }

  it("journey list: fits, header collapsed", async () => {
    await check("journeys", "/journeys", () => page.getByTestId("journeys-table").waitFor());
    // The header is one compact bar: brand, sections and Log out reachable, nothing cut off.
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const section of ["Journeys", "Audiences", "Contacts", "Messages", "Settings"])
      expect(await nav.getByRole("link", { name: section }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);

  it("contacts: fits", async () => {
    await check("contacts", "/contacts", () => page.getByTestId("contacts-table").waitFor());
    expect(errors).toEqual([]);
  }, 60_000);

  it("contact inspector: fits", async () => {
    await check("contact", `/contacts/${encodeURIComponent(contact)}`, () =>
      page.getByRole("heading", { name: contact }).first().waitFor(),
    );
    expect(errors).toEqual([]);
  }, 60_000);

  it("results: fits", async () => {
    await check("results", "/journeys/send-time-ab/results", () =>
      page.getByTestId("split-table").waitFor(),
    );
    expect(errors).toEqual([]);
  }, 60_000);

  it("editor: fits, panels stacked", async () => {
    await check(
      "editor",
      "/journeys/cart-reminder",
      () => page.locator(".react-flow__node").first().waitFor(),
      true,
    );
    // Stacked: the palette above the canvas, the canvas above the inspector, each full width.
    const box = async (selector: string) => {
      const b = await page.locator(selector).first().boundingBox();
      if (!b) throw new Error(`${selector} is not on the page`);
      return b;
    };
    const [palette, canvas, inspector] = await Promise.all([
      box(".palette"),
      box(".canvas-column"),
      box(".side-panel"),
    ]);
    expect(palette.y + palette.height).toBeLessThanOrEqual(canvas.y + 1);
    expect(canvas.y + canvas.height).toBeLessThanOrEqual(inspector.y + 1);
    for (const b of [palette, canvas, inspector]) expect(b.width).toBeGreaterThan(WIDTH - 20);
    expect(canvas.height).toBeGreaterThan(300);
    expect(errors).toEqual([]);
  }, 60_000);

  it("messages, audiences and settings: fit", async () => {
    await check("messages", "/messages", () => page.getByTestId("messages-table").waitFor());
    await check("audiences", "/audiences", () =>
      page.getByRole("heading", { name: "Audiences", exact: true }).waitFor(),
    );
    await check("settings", "/settings", () =>
      page.getByRole("heading", { name: "Settings", exact: true }).waitFor(),
    );
    expect(errors).toEqual([]);
  }, 60_000);
});
