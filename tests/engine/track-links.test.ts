import { describe, expect, it } from "vitest";
import { simulate } from "../../engine/index.ts";
import { DEFAULT_LINK_SHAPE, previewMessage, sampleTrackedLink } from "../../engine/sms/compose.ts";
import type { TemplateVars } from "../../engine/template/index.ts";
import { isLinkable } from "../../engine/template/links.ts";
import { at, exit, journey, PROMO_CONSENT, sms, trigger } from "./helpers.ts";

/**
 * A `| track` target that is not http(s) cannot be sent: the runtime's link minter refuses it
 * and the send is suppressed (`template_error`). The simulator and the preview say so too —
 * before, both showed the message as sent or counted with a link that would never go out.
 */
const t0 = at("2025-05-01T04:00:00Z"); // 12:00 Shanghai, outside quiet hours
const shopper = {
  id: "c1",
  attributes: { firstName: "Li" },
  timezone: "Asia/Shanghai",
  consent: PROMO_CONSENT,
};
const run = (template: string, properties: Record<string, unknown> = {}) =>
  simulate(
    journey(
      [trigger(), sms("s1", template), exit()],
      [
        ["start", "s1"],
        ["s1", "done"],
      ],
    ),
    shopper,
    [{ at: t0, name: "go", properties }],
    { from: t0, until: t0 + 60_000 },
  ).timeline.find((e) => e.nodeId === "s1");

describe("tracked link targets", () => {
  it("only http(s) URLs are linkable", () => {
    expect(isLinkable("https://shop.example/sale")).toBe(true);
    expect(isLinkable("http://shop.example")).toBe(true);
    for (const bad of [
      "www.shop.com/sale",
      "javascript:alert(1)",
      "data:text/html,x",
      "",
      "ftp://x",
    ])
      expect(isLinkable(bad), bad).toBe(false);
  });

  it("the simulator sends an http(s) link as the ticker does", () => {
    expect(run('Sale {{ "https://shop.example/sale" | track }}')).toMatchObject({ type: "sent" });
  });

  it("the simulator suppresses a send whose link the runtime would refuse, naming it", () => {
    const literal = run('Sale {{ "www.shop.com/sale" | track }}');
    expect(literal).toMatchObject({ type: "suppressed", reason: "template_error" });
    expect(JSON.stringify(literal)).toContain("www.shop.com/sale");
    // From the contact's own event: this event carries a javascript: URL.
    const fromEvent = run("Your cart {{ event.url | track }}", { url: "javascript:alert(1)" });
    expect(fromEvent).toMatchObject({ type: "suppressed", reason: "template_error" });
    // And one without the property: the ticker tracks "" and refuses it the same way.
    expect(run("Your cart {{ event.url | track }}")).toMatchObject({
      type: "suppressed",
      reason: "template_error",
    });
  });

  it("the preview refuses a literal target the runtime would refuse, and counts the others", () => {
    const spec = { channel: "sms", category: "promotional", template: "" } as const;
    const preview = (template: string, vars: TemplateVars = { user: {}, event: {} }) =>
      previewMessage({ ...spec, template }, { vars, linkShape: DEFAULT_LINK_SHAPE });
    expect(preview('Go {{ "www.shop.com/sale" | track }}')).toMatchObject({ ok: false });
    const ok = preview('Go {{ "https://shop.example/sale" | track }}');
    expect(ok.ok && ok.rendered).toBe(`Go ${sampleTrackedLink(DEFAULT_LINK_SHAPE)}`);
    // A variable the sample values lack says nothing about a real contact's: still counted.
    const sample = preview("Go {{ event.url | track }}");
    expect(sample.ok && sample.rendered).toBe(`Go ${sampleTrackedLink(DEFAULT_LINK_SHAPE)}`);
  });
});
