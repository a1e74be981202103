import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Journey } from "../../engine/index.ts";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";

/**
 * Issue #20 for Settings and Versions, in Chromium against the real server: switched to 简体中文
 * in the header, an admin edits the sending policy (quiet hours, a frequency cap and a cooldown
 * typed as people say them, "3天", "2周", stored as ISO), creates and revokes an API key, adds
 * an operator, reads the audit log, then opens a journey's versions and compares two — all in
 * Chinese, at 1280 px and 390 px, nothing wider than the page.
 */
const JOURNEY: Journey = {
  format: "waymark/journey@1",
  id: "winback-versions",
  name: "回购提醒",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "PT1H" } },
    {
      id: "sms1",
      type: "send",
      send: { channel: "sms", category: "promotional", template: "好久不见，送您一张优惠券" },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms1" },
    { from: "sms1", to: "done" },
  ],
};

interface Policy {
  quietHours: { start: string; end: string } | null;
  caps: { window: string; max: number; category: string }[];
  unopenedStreak: { count: number; cooldown: string } | null;
}

/**
 * Elements reaching past the viewport's right edge outside a box that clips or scrolls, and the
 * page's own scroll width when it is wider than the viewport.
 */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const clipped = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== "visible") return true;
      return false;
    };
    const wide = Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`);
    // Something positioned out of its scroller widens the page without showing above.
    const page = (document.scrollingElement ?? document.documentElement).scrollWidth;
    return page > width ? [...wide, `page scrolls to ${page}px`] : wide;
  });
}

/**
 * Whether Chinese renders with a CJK font rather than as tofu: a missing glyph draws every
 * character as the same box, so two different ideographs would be exactly as wide as the box.
 */
function rendersCjk(page: Page) {
  return page.evaluate(() => {
    const c = document.createElement("canvas").getContext("2d");
    if (!c) return false;
    c.font = "16px sans-serif";
    const tofu = c.measureText("\u{10FFFD}").width;
    return c.measureText("设").width !== tofu && c.measureText("置").width > 8;
  });
}

describe.runIf(chromiumPath)("Settings and versions in 简体中文", () => {
  const ui = signedInConsole({
    env: { WAYMARK_DEMO_SEED: "false" },
    page: { viewport: { width: 1280, height: 900 }, locale: "en-US" },
    defaultTimeout: 10_000,
  });
  const shot = (name: string, fullPage = true) =>
    ui.page.screenshot({ path: join(ARTIFACTS, `settings-i18n-${name}.png`), fullPage });
  const settingsPolicy = async () => (await ui.api<{ policy: Policy }>("/api/settings")).policy;

  it("switches to 简体中文 and edits the sending policy with durations as people say them", async () => {
    const { page } = ui;
    await page.getByRole("combobox", { name: /^(Language|语言)$/ }).selectOption("zh-CN");
    await page
      .getByRole("navigation", { name: "主导航" })
      .getByRole("link", { name: "设置" })
      .click();
    await page.getByRole("heading", { name: "免打扰时段" }).waitFor();
    expect(await rendersCjk(page)).toBe(true);

    const quiet = page.getByRole("checkbox", { name: "只在每天的发送窗口内发送" });
    if (!(await quiet.isChecked())) await quiet.check();
    await page.getByLabel("窗口开始").fill("09:00");
    await page.getByLabel("窗口结束").fill("21:30");

    // A cap whose window is typed in Chinese; a nonsense window blocks saving, in Chinese.
    const caps = (await settingsPolicy()).caps.length;
    await page.getByRole("button", { name: "添加上限" }).click();
    const window = page.getByLabel(`上限 ${caps + 1} 的窗口`);
    await window.fill("很快");
    await page.getByText("请填写一段时长，如“30 天”或“12 小时”").waitFor();
    expect(await page.getByRole("button", { name: "保存策略" }).isDisabled()).toBe(true);
    await window.fill("3天");
    await page.getByLabel(`上限 ${caps + 1} 的最大条数`).fill("2");

    const streak = page.getByRole("checkbox", { name: "连续未打开后进入冷却" });
    if (!(await streak.isChecked())) await streak.check();
    await page.getByLabel("冷却时长").fill("2 周");

    await page.getByRole("button", { name: "保存策略" }).click();
    await expect
      .poll(() => page.getByTestId("settings-save-state").textContent())
      .toContain("已保存");
    const policy = await settingsPolicy();
    expect(policy.quietHours).toEqual({ start: "09:00", end: "21:30" });
    expect(policy.caps[caps]).toMatchObject({ window: "P3D", max: 2 });
    expect(policy.unopenedStreak?.cooldown).toBe("P2W");

    // After a reload the stored ISO is said in Chinese again, never as P3D.
    await page.reload();
    await page.getByRole("heading", { name: "免打扰时段" }).waitFor();
    expect(await page.getByLabel(`上限 ${caps + 1} 的窗口`).inputValue()).toBe("3天");
    expect(await page.getByLabel("冷却时长").inputValue()).toBe("2周");
    await page.getByRole("region", { name: "频次上限" }).screenshot({
      path: join(ARTIFACTS, "settings-i18n-caps.png"),
    });
  });

  it("creates and revokes an API key, adds an operator, and reads the audit log in Chinese", async () => {
    const { page } = ui;
    await page.goto(`${ui.url}/settings`);
    const keys = page.getByRole("region", { name: "API 密钥", exact: true });
    await keys.getByLabel("密钥名称").fill("checkout-service");
    await keys.getByRole("button", { name: "创建密钥" }).click();
    const secret = keys.getByTestId("one-time-secret");
    await secret.getByText("请立即复制，之后不会再显示").waitFor();
    expect(await secret.locator("code").textContent()).toMatch(/^wk_/);
    await secret.getByRole("button", { name: "完成" }).click();
    const row = keys.getByRole("row").filter({ hasText: "checkout-service" });
    expect(await row.textContent()).toContain("写入");
    expect(await row.textContent()).toContain("从未");
    await row.getByRole("button", { name: "吊销 checkout-service" }).click();
    await row.getByRole("button", { name: "立即吊销" }).click();
    await expect.poll(() => row.count()).toBe(0);
    const stored = await ui.api<{ keys: { name: string; revokedAt: string | null }[] }>(
      "/api/keys",
    );
    expect(stored.keys.find((k) => k.name === "checkout-service")?.revokedAt).not.toBeNull();

    const operators = page.getByRole("region", { name: "操作员", exact: true });
    await operators.getByLabel("邮箱").fill("li.wei@example.com");
    await operators.getByRole("combobox", { name: "角色", exact: true }).selectOption("support");
    await operators.getByRole("button", { name: "添加操作员" }).click();
    await operators.getByText("li.wei@example.com 的密码").waitFor();
    const li = operators.getByRole("table").getByRole("row").filter({ hasText: "li.wei@" });
    expect(await li.getByRole("combobox").locator("option:checked").textContent()).toBe("客服");
    expect(await operators.getByRole("table").textContent()).toContain("你");
    expect(await operators.getByRole("columnheader").allTextContents()).toEqual(
      expect.arrayContaining(["邮箱", "角色", "最近登录"]),
    );

    await page.reload();
    const audit = page.getByRole("region", { name: "审计日志" });
    await audit.getByText("添加了 li.wei@example.com，角色为客服").waitFor();
    await audit
      .getByText(/^(修改|保存)了发送策略/)
      .first()
      .waitFor();
    expect(await audit.getByRole("columnheader").allTextContents()).toEqual([
      "时间",
      "操作人",
      "内容",
      "对象",
    ]);
    expect(await audit.getByTestId("audit-log").textContent()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    expect(await overflowing(page)).toEqual([]);
    await shot("1280");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("heading", { name: "审计日志" }).scrollIntoViewIfNeeded();
    expect(await overflowing(page)).toEqual([]);
    await shot("390");
    for (const [name, region] of [
      ["caps", "频次上限"],
      ["keys", "API 密钥"],
      ["operators", "操作员"],
    ] as const)
      await page
        .getByRole("region", { name: region, exact: true })
        .screenshot({ path: join(ARTIFACTS, `settings-i18n-390-${name}.png`) });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("opens a journey's versions and compares two, in Chinese", async () => {
    const { page } = ui;
    await ui.api("/api/journeys", JOURNEY);
    await ui.api(`/api/journeys/${JOURNEY.id}/publish`, { note: "第一版" });
    const v2: Journey = {
      ...JOURNEY,
      nodes: JOURNEY.nodes.map((n) =>
        n.id === "wait1" ? { ...n, wait: { kind: "duration", duration: "PT2H" } } : n,
      ),
    };
    await ui.api(`/api/journeys/${JOURNEY.id}`, v2, { method: "put" });
    await ui.api(`/api/journeys/${JOURNEY.id}/publish`, { note: "等待更久" });

    await page.goto(`${ui.url}/journeys/${JOURNEY.id}`);
    await page.getByTestId("node-wait1").waitFor();
    await page.getByRole("button", { name: /^(Versions|版本)$/ }).click();
    const panel = page.getByRole("complementary", { name: "版本" });
    await panel.getByRole("heading", { name: "历史" }).waitFor();
    const first = panel.locator('li[data-version="1"]');
    await first.getByText("已在旅程中的用户保留了原来的版本。").waitFor();
    expect(await first.textContent()).toContain("当前 0 位用户");
    expect(await first.textContent()).toMatch(
      /\d{4}年\d{1,2}月\d{1,2}日.*，admin@waymark\.local 发布/,
    );
    expect(await panel.textContent()).toContain("草稿 = 线上的 v2");
    await panel.getByTestId("journey-activity").getByText("发布了 v2（1 处改动）").waitFor();

    await panel.getByLabel("比较起点").selectOption("1");
    await panel.getByLabel("比较终点").selectOption("2");
    await panel.getByRole("button", { name: "比较", exact: true }).click();
    const banner = page.getByRole("region", { name: "版本比较" });
    await banner.getByText("正在比较 v1 → v2").waitFor();
    expect(await banner.textContent()).toContain("修改 1");
    const result = panel.getByTestId("compare-result");
    expect(await result.getByRole("heading").first().textContent()).toBe("v1 → v2 · 1 处改动");
    // The wait's duration said in Chinese on both sides, never as PT1H.
    const wait = result.locator('[data-diff-node="wait1"] .value-diff');
    expect(await wait.textContent()).toBe("1小时 → 2小时");
    // The canvas badges are the console's words too (CSS content from the shell's variables).
    const badge = await page
      .locator(".react-flow__node.wm-diff-changed")
      .evaluate((el) => getComputedStyle(el, "::after").content);
    expect(badge).toBe('"已修改"');
    await page.getByRole("application", { name: "v1 与 v2 的比较" }).waitFor();
    expect(await rendersCjk(page)).toBe(true);
    await shot("versions-compare", false);

    await first.getByRole("button", { name: "打开" }).click();
    const view = page.getByRole("region", { name: "版本视图" });
    await view.getByText("正在查看 v1").waitFor();
    await view.getByText("当前没有用户在此版本上").waitFor();
    await page.getByRole("application", { name: "版本 v1（只读）" }).waitFor();
    await shot("versions-open", false);
    await view.getByRole("button", { name: "回到草稿" }).click();
    expect(ui.errors).toEqual([]);
  });
});
