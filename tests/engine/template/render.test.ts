import { describe, expect, it } from "vitest";
import { renderTemplate, type TemplateVars } from "../../../engine/template/render.ts";

const vars: TemplateVars = {
  user: { firstName: "Lin", points: 320, topItem: { name: "猫粮" }, tags: ["vip", "cat"] },
  event: {
    name: "cart_abandoned",
    properties: { sku: "SKU-1", price: 199 },
    at: 1_750_000_000_000,
  },
  journey: { id: "winback" },
};

function ok(template: string, opts = {}, v: TemplateVars = vars): string {
  const r = renderTemplate(template, v, opts);
  if (!r.ok) throw new Error(r.error);
  return r.text;
}

describe("renderTemplate", () => {
  it("renders variables, nested paths and built-in filters", () => {
    expect(
      ok("Hi {{ user.firstName }}, {{ event.properties.sku }} at ¥{{ event.properties.price }}"),
    ).toBe("Hi Lin, SKU-1 at ¥199");
    expect(
      ok("{{ user.topItem.name }} {{ user.tags | join: '/' }} {{ user.points | plus: 10 }}"),
    ).toBe("猫粮 vip/cat 330");
    expect(ok("{% if user.points > 100 %}rich{% else %}poor{% endif %}")).toBe("rich");
  });

  it("renders missing variables as empty, and `default` supplies fallbacks", () => {
    expect(ok("Hi {{ user.lastName }}!")).toBe("Hi !");
    expect(ok("Hi {{ user.nickname | default: 'there' }}")).toBe("Hi there");
    expect(ok("{{ nope.deep.path }}|")).toBe("|");
  });

  it("the track filter calls opts.trackLink, identity when absent", () => {
    const calls: string[] = [];
    const trackLink = (url: string) => {
      calls.push(url);
      return `https://t.example/${calls.length}`;
    };
    expect(ok('Cart: {{ "https://shop.example/cart" | track }}', { trackLink })).toBe(
      "Cart: https://t.example/1",
    );
    expect(calls).toEqual(["https://shop.example/cart"]);
    expect(ok('{{ "https://shop.example/cart" | track }}')).toBe("https://shop.example/cart");
  });

  it("uses the trackLink of each render, even from the cache", () => {
    const tpl = '{{ "https://s.example/p" | append: "?u=" | append: user.firstName | track }}';
    expect(ok(tpl, { trackLink: (u: string) => `A:${u}` })).toBe("A:https://s.example/p?u=Lin");
    expect(ok(tpl, { trackLink: (u: string) => `B:${u}` })).toBe("B:https://s.example/p?u=Lin");
  });

  it("a throwing trackLink is an error result, not an exception", () => {
    const r = renderTemplate('{{ "x" | track }}', vars, {
      trackLink: () => {
        throw new Error("link service down");
      },
    });
    expect(r).toEqual({
      ok: false,
      overBudget: false,
      error: expect.stringContaining("link service down"),
    });
  });

  it("unknown filters and syntax errors are errors, not exceptions", () => {
    const unknown = renderTemplate("{{ user.firstName | shout }}", vars, {});
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error).toMatch(/undefined filter: shout/);
    expect(renderTemplate("{{ user.firstName ", vars, {}).ok).toBe(false);
    expect(renderTemplate("{% if user.vip %}unclosed", vars, {}).ok).toBe(false);
    // Same bad template twice: the cached error is returned.
    expect(renderTemplate("{{ user.firstName ", vars, {}).ok).toBe(false);
  });

  it("cannot read files: include/render/layout are not available", () => {
    for (const tpl of [
      "{% include 'secrets' %}",
      "{% render '/etc/passwd' %}",
      "{% layout 'x' %}",
    ]) {
      const r = renderTemplate(tpl, vars, {});
      expect(r.ok, tpl).toBe(false);
    }
  });

  it("does not expose prototype properties", () => {
    expect(ok("[{{ user.constructor }}][{{ user.__proto__ }}]")).toBe("[][]");
  });

  it("date formats epoch ms in the recipient's zone (UTC by default)", () => {
    // 1_750_000_000_000 = 2025-06-15T15:06:40Z
    expect(ok("{{ event.at | date: '%Y-%m-%d %H:%M' }}")).toBe("2025-06-15 15:06");
    expect(ok("{{ event.at | date: '%Y-%m-%d %H:%M' }}", { zone: "Asia/Shanghai" })).toBe(
      "2025-06-15 23:06",
    );
    expect(ok("{{ '2025-01-01T00:00:00Z' | date: '%H:%M', 'America/New_York' }}")).toBe("19:00");
  });

  it("stops runaway loops with the memory limit", () => {
    expect(renderTemplate("{% for i in (1..1000000000) %}x{% endfor %}", vars, {}).ok).toBe(false);
  });

  it("cached rendering is fast (prints numbers with BENCH=1)", () => {
    const tpl =
      "【喵铺】{{ user.firstName | default: '亲' }}，您的{{ user.topItem.name }}快用完了，" +
      "{% if user.points > 100 %}{{ user.points }}积分可抵现，{% endif %}" +
      "点击 {{ 'https://s.example/r' | track }} 复购";
    const n = 2_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) ok(`${tpl}${i}`);
    const uncached = (performance.now() - t0) / n;
    const t1 = performance.now();
    for (let i = 0; i < n; i++) ok(tpl);
    const cached = (performance.now() - t1) / n;
    if (process.env.BENCH) {
      console.log(
        `parse+render ${(uncached * 1000).toFixed(1)}µs, cached ${(cached * 1000).toFixed(1)}µs`,
      );
    }
    expect(cached).toBeLessThan(uncached);
  });
});
