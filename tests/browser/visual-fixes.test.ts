import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { middayZone, until } from "../helpers/time.ts";

/**
 * Issue #16's walk, fixed and checked in Chromium: every "Remove" button is legible (its text
 * against the ground it is drawn on meets WCAG AA, 4.5:1 — the inspector's was red on red), and
 * a journey whose results cover a single day draws that day (a bar per series with its number),
 * not a lone dot.
 */
const JOURNEY = {
  format: "waymark/journey@1",
  id: "one-day",
  name: "One day of sends",
  settings: {
    goal: { event: "purchased", within: "P7D" },
    exitOn: [{ event: "unsubscribed" }, { event: "purchased" }],
  },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event: "signed_up" } },
    {
      id: "sms",
      type: "send",
      label: "Welcome",
      send: { channel: "sms", category: "promotional", template: "Welcome aboard" },
    },
    { id: "hold", type: "wait", wait: { kind: "duration", duration: "P1D" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "sms" },
    { from: "sms", to: "hold" },
    { from: "hold", to: "done" },
  ],
};
const USERS = ["d1", "d2", "d3"];

describe.runIf(chromiumPath)("visual fixes in Chromium", () => {
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false" },
    page: { viewport: { width: 1280, height: 900 } },
  });
  const { api, ingest } = ui;
  beforeAll(async () => {
    await api("/api/journeys", JOURNEY);
  });

  /** Contrast of each visible "Remove…" button's text against the ground behind it. */
  function removeContrasts() {
    return ui.page.evaluate(() => {
      const rgb = (c: string) => {
        const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 1];
        return { r: m[0] ?? 0, g: m[1] ?? 0, b: m[2] ?? 0, a: m[3] ?? 1 };
      };
      const lum = ({ r, g, b }: { r: number; g: number; b: number }) => {
        const f = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ground = (el: Element) => {
        for (let e: Element | null = el; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.a > 0.5) return c;
        }
        return { r: 255, g: 255, b: 255, a: 1 };
      };
      return Array.from(document.querySelectorAll("button"))
        .filter((b) => {
          const name = b.getAttribute("aria-label") ?? b.textContent ?? "";
          return /^Remove/.test(name.trim()) && b.getBoundingClientRect().width > 0;
        })
        .map((b) => {
          const fg = lum(rgb(getComputedStyle(b).color));
          const bg = lum(ground(b));
          const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
          return {
            name: (b.getAttribute("aria-label") ?? b.textContent ?? "").trim(),
            ratio: Math.round(ratio * 100) / 100,
          };
        });
    });
  }

  it("draws every Remove button legibly (WCAG AA 4.5:1): the inspector's list Remove was red on red", async () => {
    await ui.page.goto(`${ui.url}/journeys/one-day`);
    // Journey settings (nothing selected) list the two exit-on events, each with its Remove.
    await ui.page.getByText("Journey settings").waitFor();
    const editor = await removeContrasts();
    expect(editor.filter((b) => b.name === "Remove")).toHaveLength(2);
    for (const b of editor) expect(b.ratio, b.name).toBeGreaterThanOrEqual(4.5);
    await ui.page
      .getByRole("button", { name: "Remove", exact: true })
      .first()
      .screenshot({ path: join(ARTIFACTS, "remove-button.png") });

    await ui.page.goto(`${ui.url}/settings`);
    await ui.page.getByRole("heading", { name: "Settings", exact: true }).waitFor();
    await ui.page
      .getByRole("button", { name: /^Remove/ })
      .first()
      .waitFor();
    const settings = await removeContrasts();
    expect(settings.length).toBeGreaterThan(0);
    for (const b of settings) expect(b.ratio, b.name).toBeGreaterThanOrEqual(4.5);
    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("draws a single day of results as two labelled bars, not a dot", async () => {
    await api("/api/journeys/one-day/publish", {});
    for (const userId of USERS) {
      await ingest("/v1/identify", {
        userId,
        traits: { phone: "+12025550123", timezone: middayZone() },
        consent: { sms: { promotional: true } },
      });
      await ingest("/v1/track", { userId, event: "signed_up", messageId: `s-${userId}` });
    }
    // A conversion counts after the send went out (results/queries.ts): d1 buys once the three
    // SMS are sent, as a reader of the message would.
    await until("three SMS sent", async () => {
      const r = await api<{ messages: { sentAt: string | null }[] }>(
        "/api/messages?journey=one-day",
      );
      return r.messages.length === 3 && r.messages.every((m) => m.sentAt !== null) ? r : null;
    });
    await ingest("/v1/track", { userId: "d1", event: "purchased", messageId: "p-d1" });
    const series = await until("three sends and a conversion on the results", async () => {
      const r = await api<{ series: { date: string; sends: number; conversions: number }[] }>(
        "/api/journeys/one-day/results",
      );
      const day = r.series[0];
      return r.series.length === 1 && day?.sends === 3 && day.conversions === 1 ? r.series : null;
    });
    await ui.page.goto(`${ui.url}/journeys/one-day/results`);
    const chart = ui.page.getByTestId("results-chart");
    await chart.waitFor();
    const day = chart.getByTestId("one-day");
    const bars = await day
      .locator("rect")
      .evaluateAll((rs) =>
        rs.map((r) => ({ cls: r.getAttribute("class"), height: r.getBoundingClientRect().height })),
      );
    expect(bars.map((b) => b.cls)).toEqual(["bar-sends", "bar-conversions"]);
    // The sends bar is the chart's full height (3 is the maximum), conversions a third of it.
    const [sends, conversions] = bars;
    expect(sends?.height).toBeGreaterThan(100);
    expect(conversions?.height).toBeCloseTo((sends?.height ?? 0) / 3, 0);
    expect(await day.locator("text").allTextContents()).toEqual(["3", "1"]);
    // Every whole number up the axis for a small peak (it read 0, 2, 3), then the day's label
    // under the bars.
    expect(await chart.locator("text.axis-label").allTextContents()).toEqual([
      "0",
      "1",
      "2",
      "3",
      series[0]?.date.slice(5),
    ]);
    await ui.page
      .getByTestId("results-chart")
      .screenshot({ path: join(ARTIFACTS, "results-one-day.png") });
    expect(ui.errors).toEqual([]);
  }, 60_000);
});
