import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";

/**
 * Issue #16, "usable at 390 px wide": on an iPhone-sized viewport (390 × 844) the console's
 * pages fit the width — no horizontal page scroll (wide tables scroll inside their own box) —
 * and the header collapses to the brand, the sections and the account. The demo workspace gives
 * every page real content: journeys, 10,000 contacts, an A/B test's results, a seeded inspector.
 */
const WIDTH = 390;

describe.runIf(chromiumPath)("the console at 390 px wide", () => {
  const ui = signedInConsole({
    page: {
      viewport: { width: WIDTH, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    },
  });
  let contact = "";
  beforeAll(async () => {
    // A contact of the seeded A/B test: the inspector has an enrollment and a message to show.
    const { messages } = await ui.api<{ messages: { contact: string }[] }>(
      "/api/messages?journey=send-time-ab&limit=1",
      undefined,
      { status: [200] },
    );
    contact = messages[0]?.contact ?? "";
    expect(contact).not.toBe("");
  });

  /**
   * How wide the page scrolls, and the element reaching furthest right outside any box that
   * clips or scrolls it (a wide table inside its own scroller is fine) — what to fix.
   */
  async function measure() {
    return ui.page.evaluate((width) => {
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
    await ui.page.goto(`${ui.url}${path}`);
    await ready();
    await ui.page.screenshot({ path: join(ARTIFACTS, `mobile-${name}.png`), fullPage });
    const m = await measure();
    expect(m.scrollWidth, `${name}: widest ${m.widest} reaches ${m.right}px`).toBeLessThanOrEqual(
      WIDTH,
    );
  }

  it("journey list: fits, header collapsed", async () => {
    await check("journeys", "/journeys", () => ui.page.getByTestId("journeys-table").waitFor());
    // The header is one compact bar: brand, sections and Log out reachable, nothing cut off.
    const nav = ui.page.getByRole("navigation", { name: "Main" });
    for (const section of ["Journeys", "Audiences", "Contacts", "Messages", "Settings"])
      expect(await nav.getByRole("link", { name: section }).isVisible()).toBe(true);
    expect(await ui.page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("contacts: fits", async () => {
    await check("contacts", "/contacts", () => ui.page.getByTestId("contacts-table").waitFor());
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("contact inspector: fits", async () => {
    await check("contact", `/contacts/${encodeURIComponent(contact)}`, () =>
      ui.page.getByRole("heading", { name: contact }).first().waitFor(),
    );
    // The seeded A/B enrollment is drawn from the version it ran as (the seed tied it to the
    // draft, and the page said "Cannot draw v…").
    const card = ui.page.locator("article.enrollment").first();
    await card.locator(".react-flow__node").first().waitFor();
    expect(await card.locator(".ro-canvas.error").count()).toBe(0);
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("results: fits", async () => {
    await check("results", "/journeys/send-time-ab/results", () =>
      ui.page.getByTestId("split-table").waitFor(),
    );
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("editor: fits, panels stacked", async () => {
    await check(
      "editor",
      "/journeys/cart-reminder",
      () => ui.page.locator(".react-flow__node").first().waitFor(),
      true,
    );
    // Stacked: the palette above the canvas, the canvas above the inspector, each full width.
    const box = async (selector: string) => {
      const b = await ui.page.locator(selector).first().boundingBox();
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
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("messages, audiences and settings: fit", async () => {
    await check("messages", "/messages", () => ui.page.getByTestId("messages-table").waitFor());
    await check("audiences", "/audiences", () =>
      ui.page.getByRole("heading", { name: "Audiences", exact: true }).waitFor(),
    );
    await check("settings", "/settings", () =>
      ui.page.getByRole("heading", { name: "Settings", exact: true }).waitFor(),
    );
    expect(ui.errors).toEqual([]);
  }, 60_000);
});
