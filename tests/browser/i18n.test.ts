import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPath, launchBrowser, signIn, watchErrors } from "../helpers/browser.ts";
import { type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

/**
 * Issue #20 in Chromium against the real server: the console follows the browser (English
 * here), switches to 简体中文 in the header, remembers it on the operator (a reload with the
 * browser's storage cleared still opens in Chinese), shows the journey list and a contact's
 * timeline in Chinese — the reasons made from the engine's codes — and switches back.
 */
describe.runIf(chromiumPath)("the console in 简体中文 and English", () => {
  let server: Started;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  async function api<T>(path: string, body?: unknown, method: "post" | "put" = "post") {
    const url = `${server.url}${path}`;
    const res =
      body === undefined
        ? await page.request.get(url)
        : method === "put"
          ? await page.request.put(url, { data: body })
          : await page.request.post(url, { data: body });
    expect([200, 201], `${path}: ${await res.text()}`).toContain(res.status());
    return (await res.json()) as T;
  }

  const language = () => page.getByRole("combobox", { name: /^(Language|语言)$/ });
  const locale = async () =>
    (await api<{ operator: { locale: string | null } }>("/api/me")).operator.locale;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startWaymark({ WAYMARK_DATA_DIR: tempDir(), WAYMARK_DEMO_SEED: "false" }),
      launchBrowser(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    errors = watchErrors(page);
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;

    // Whenever this runs: no quiet hours, so the steps below happen at once.
    const settings = await api<{ policy: Record<string, unknown> }>("/api/settings");
    await api("/api/settings", { policy: { ...settings.policy, quietHours: null } }, "put");
    const { key } = await api<{ key: string }>("/api/keys", { kind: "write", name: "i18n" });
    const identify = await page.request.post(`${server.url}/v1/identify`, {
      data: { userId: "lin", traits: { phone: "+8613800138000", firstName: "林" } },
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
    });
    expect(identify.status()).toBe(200);
    // A shipping notice goes; a promotion without consent is not sent; then a day's wait.
    await api("/api/journeys", {
      format: "waymark/journey@1",
      id: "winback-cn",
      name: "回购提醒",
      nodes: [
        { id: "start", type: "trigger", trigger: { kind: "api" } },
        {
          id: "notice",
          type: "send",
          send: { channel: "sms", category: "transactional", template: "您的订单已发货" },
        },
        {
          id: "promo",
          type: "send",
          send: { channel: "sms", category: "promotional", template: "专属优惠，回TD退订" },
        },
        { id: "wait1", type: "wait", wait: { kind: "duration", duration: "P1D" } },
        { id: "done", type: "exit" },
      ],
      edges: [
        { from: "start", to: "notice" },
        { from: "notice", to: "promo" },
        { from: "promo", to: "wait1" },
        { from: "wait1", to: "done" },
      ],
    });
    await api("/api/journeys/winback-cn/publish", {});
    await api("/api/journeys/winback-cn/enroll", { userId: "lin" });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("follows the browser, switches to 简体中文 in the header and remembers it on the operator", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Journeys", exact: true }).waitFor();
    expect(await locale()).toBeNull();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");

    await language().selectOption("zh-CN");
    await page.getByRole("heading", { name: "旅程", exact: true }).waitFor();
    await expect.poll(locale).toBe("zh-CN");

    // Remembered by the server, not the browser: storage cleared, the reload is still Chinese.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole("heading", { name: "旅程", exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    expect(await language().inputValue()).toBe("zh-CN");

    const row = page.locator('tr[data-journey="winback-cn"]');
    expect(await row.locator(".badge").textContent()).toBe("运行中");
    expect(await page.getByRole("columnheader").allTextContents()).toEqual(
      expect.arrayContaining(["名称", "状态", "版本", "当前在旅程中", "更新时间"]),
    );
    expect(await page.getByRole("navigation", { name: "主导航" }).textContent()).toContain(
      "联系人",
    );
    await page.screenshot({ path: join(ARTIFACTS, "zh-CN-journeys.png") });
    expect(errors).toEqual([]);
  });

  it("reads a contact's timeline in Chinese, reasons included, then switches back to English", async () => {
    await expect
      .poll(
        async () => {
          const { enrollments } = await api<{ enrollments: { timeline: { type: string }[] }[] }>(
            "/api/contacts/lin/journeys",
          );
          return enrollments[0]?.timeline.map((r) => r.type) ?? [];
        },
        { timeout: 20_000 },
      )
      .toContain("waiting");
    await page.goto(`${server.url}/contacts/lin`);
    const timeline = page.getByRole("list", { name: "回购提醒 时间线" });
    await timeline.waitFor();
    const rows = async () =>
      timeline
        .locator(".tl-row")
        .evaluateAll((els) =>
          els.map((el) => [
            el.getAttribute("data-type"),
            el.querySelector(".tl-type")?.textContent ?? "",
            el.querySelector(".tl-detail")?.firstChild?.textContent ?? "",
          ]),
        );
    const zh = await rows();
    expect(zh).toEqual(
      expect.arrayContaining([
        ["entered", "进入", "进入旅程"],
        ["sent", "已发送", "已通过短信发送"],
        ["suppressed", "已拦截", "未发送 — 未获同意"],
      ]),
    );
    const waiting = zh.find((r) => r[0] === "waiting");
    expect(waiting?.[1]).toBe("等待");
    // The wait's end as a Chinese date, its zone said.
    expect(waiting?.[2]).toMatch(/^等待至 \d{4}年\d{1,2}月\d{1,2}日 .*(UTC|GMT).*\d{2}:\d{2}/);
    // The engine's English stays on hover.
    const suppressed = timeline.locator('.tl-row[data-type="suppressed"] .tl-detail');
    expect(await suppressed.getAttribute("title")).toMatch(/consent/);
    expect(await page.getByTestId("enrollment-status").textContent()).toMatch(/^在 wait1，等待至/);

    // Nothing wider than the timeline's column: Chinese sentences wrap.
    const overflow = await timeline.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return [...el.querySelectorAll("*")].filter(
        (c) => c.getBoundingClientRect().right > box.right + 1,
      ).length;
    });
    expect(overflow).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "zh-CN-contact.png"), fullPage: true });

    // The outbox too: channel, category and status in Chinese.
    await page
      .getByRole("navigation", { name: "主导航" })
      .getByRole("link", { name: "消息" })
      .click();
    const sent = page.getByTestId("messages-table").locator("tbody tr").first();
    await sent.waitFor();
    expect(await sent.locator(".msg-meta").textContent()).toMatch(
      /^短信 · 交易类 · UCS-2 · 1 条 ·/,
    );
    expect(["排队中", "发送中", "已发送", "已送达"]).toContain(
      await sent.locator(".badge").textContent(),
    );
    await page.screenshot({ path: join(ARTIFACTS, "zh-CN-messages.png") });

    await page.goto(`${server.url}/contacts/lin`);
    await timeline.waitFor();
    await language().selectOption("en");
    const english = page.getByRole("list", { name: "回购提醒 timeline" });
    await english.waitFor();
    expect(
      await english.locator('.tl-row[data-type="suppressed"] .tl-detail').first().textContent(),
    ).toMatch(/^not sent — no consent/);
    await expect.poll(locale).toBe("en");
    await page.reload();
    await page.getByRole("link", { name: "← Contacts" }).waitFor();
    expect(errors).toEqual([]);
  });
});
