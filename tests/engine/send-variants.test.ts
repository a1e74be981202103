import { describe, expect, it } from "vitest";
import { advance, type Journey, parseJourney, validate } from "../../engine/index.ts";
import type { SendSpec } from "../../engine/nodes/send.ts";
import { chooseVariant, namedVariant } from "../../engine/nodes/send-variants.ts";
import { candidates } from "../../engine/sms/opt-out-line.ts";
import { compiled, logs, sends } from "./advance-helpers.ts";
import { at, contact, doc, exit, journey, policy, ports, trigger } from "./helpers.ts";
import { variantDoc } from "./validate-variant-cases.ts";

/** Issue 20: a send's content per locale, chosen by the contact's locale. */

const base: SendSpec = {
  channel: "sms",
  category: "promotional",
  template: "Hi {{ user.firstName }}, 20% off today",
  variants: [
    { locale: "zh-CN", template: "{{ user.firstName }}，今天八折" },
    { locale: "en", template: "Hello {{ user.firstName }}, 20% off" },
  ],
};

const picked = (send: SendSpec, locale?: string | null) => chooseVariant(send, locale).variant;

describe("variant choice", () => {
  it("takes the exact tag, then shorter tags of the contact's locale, else the default", () => {
    expect(picked(base, "zh-CN")).toBe("zh-CN");
    expect(picked(base, "zh_cn")).toBe("zh-CN");
    expect(picked(base, "en-GB")).toBe("en");
    expect(picked(base, "en")).toBe("en");
    // No zh variant: a Traditional reader in Hong Kong is not sent Simplified Chinese.
    expect(picked(base, "zh-HK")).toBe("default");
    expect(picked(base, "ja-JP")).toBe("default");
    expect(picked(base, undefined)).toBe("default");
    expect(picked(base, null)).toBe("default");
    const withZh: SendSpec = {
      ...base,
      variants: [...(base.variants ?? []), { locale: "zh", template: "通用中文" }],
    };
    expect(picked(withZh, "zh-HK")).toBe("zh");
    expect(picked(withZh, "zh-Hant-HK")).toBe("zh");
    expect(picked(withZh, "zh-CN")).toBe("zh-CN");
    // A script subtag is dropped on its own too: a phone saying zh-Hans-CN reads zh-CN.
    expect(picked(base, "zh-Hans-CN")).toBe("zh-CN");
    expect(picked(withZh, "zh-Hant-TW")).toBe("zh");
    expect(candidates("zh_Hant_TW")).toEqual(["zh-Hant-TW", "zh-Hant", "zh-TW", "zh"]);
    expect(candidates("en-GB")).toEqual(["en-GB", "en"]);
  });

  it("gives the send's own content unchanged when there are no variants", () => {
    const plain: SendSpec = { channel: "sms", category: "promotional", template: "Hi" };
    expect(chooseVariant(plain, "zh-CN")).toEqual({ spec: plain, variant: null });
  });

  it("carries the variant's locale for the opt-out line unless the send overrides it", () => {
    expect(chooseVariant(base, "zh-CN").spec.locale).toBe("zh-CN");
    const override = { ...base, locale: "en" };
    const c = chooseVariant(override, "zh-CN");
    expect(c.variant).toBe("zh-CN");
    expect(c.spec.locale).toBe("en");
  });

  it("names a variant for the preview: default, a locale in any case, or none", () => {
    expect(namedVariant(base, "default")?.spec.template).toBe(base.template);
    expect(namedVariant(base, "ZH-cn")?.variant).toBe("zh-CN");
    expect(namedVariant(base, "fr")).toBeUndefined();
  });
});

function sendJourney(send: SendSpec): Journey {
  return journey(
    [trigger(), { id: "s1", type: "send", send }, exit()],
    [
      ["start", "s1"],
      ["s1", "done"],
    ],
  );
}

function run(send: SendSpec, locale?: string) {
  const c = contact(locale === undefined ? {} : { locale });
  const now = at("2025-05-01T12:00:00Z");
  return advance(compiled(sendJourney(send)), null, { now, contact: c, policy: policy() }, ports);
}

describe("variant sends", () => {
  it("send each contact its language, with the variant's opt-out line, and record the variant", () => {
    const zh = run(base, "zh-CN");
    expect(sends(zh)[0]?.body).toBe("Ann，今天八折 回TD退订");
    expect(sends(zh)[0]?.variant).toBe("zh-CN");
    expect(sends(zh)[0]?.encoding).toBe("UCS-2");
    const sent = logs(zh).find((l) => l.type === "sent");
    expect(sent?.type === "sent" && sent.variant).toBe("zh-CN");
    expect(sent?.detail).toContain("(zh-CN variant)");

    const en = run(base, "en-US");
    expect(sends(en)[0]?.body).toBe("Hello Ann, 20% off\nReply STOP to opt out");
    expect(sends(en)[0]?.variant).toBe("en");

    const none = run(base);
    expect(sends(none)[0]?.body).toBe("Hi Ann, 20% off today\nReply STOP to opt out");
    expect(sends(none)[0]?.variant).toBe("default");
  });

  it("keep the send's locale override for the opt-out line", () => {
    const r = run({ ...base, locale: "zh-CN" }, "en-US");
    expect(sends(r)[0]?.body).toBe("Hello Ann, 20% off 回TD退订");
    expect(sends(r)[0]?.variant).toBe("en");
  });

  it("leave a send without variants as it was: no variant recorded", () => {
    const r = run({ channel: "sms", category: "promotional", template: "Hi" }, "zh-CN");
    expect(sends(r)[0]?.body).toBe("Hi 回TD退订");
    expect(sends(r)[0]).not.toHaveProperty("variant");
    expect(logs(r).find((l) => l.type === "sent")).not.toHaveProperty("variant");
  });

  it("send a variant's own email subject", () => {
    const r = run(
      {
        channel: "email",
        category: "promotional",
        template: "Hi",
        email: { subject: "Sale" },
        variants: [{ locale: "zh", template: "你好", email: { subject: "促销" } }],
      },
      "zh-CN",
    );
    expect(sends(r)[0]?.email?.subject).toBe("促销");
    expect(sends(r)[0]?.body).toBe("你好");
  });
});

const issuesOf = (d: unknown) => validate(d).filter((i) => i.nodeId === "a");

describe("variant validation", () => {
  it("checks each variant's template with paths into the variant", () => {
    const d = variantDoc([
      { locale: "en", template: "ok {{ user.firstName }}" },
      { locale: "zh-CN", template: "你好 {{ secret.x }}" },
      { locale: "ja", template: "{% if %}" },
    ]);
    const found = issuesOf(d).map((i) => [i.code, i.path]);
    expect(found).toEqual([
      ["unknown_template_variable", ["nodes", 1, "send", "variants", 1, "template"]],
      ["template_syntax", ["nodes", 1, "send", "variants", 2, "template"]],
    ]);
    expect(issuesOf(d)[0]?.message).toMatch(/^zh-CN variant: /);
  });

  it("counts each variant's SMS parts with its own opt-out line", () => {
    // 68 Chinese characters fit one UCS-2 part (70) alone, not with " 回TD退订" (6 more: 74).
    const text = "好".repeat(68);
    const d = variantDoc([
      { locale: "zh-CN", template: text },
      { locale: "en", template: text },
    ]);
    const long = validate(d, { maxSmsParts: 1 }).filter((i) => i.code === "sms_too_long");
    expect(long.map((i) => i.path)).toEqual([
      ["nodes", 1, "send", "variants", 0, "template"],
      ["nodes", 1, "send", "variants", 1, "template"],
    ]);
    expect(long[0]?.message).toContain("2 parts (74 UCS-2");
    // English line after a newline: 68 + 1 + 21 = 90 characters.
    expect(long[1]?.message).toContain("2 parts (90 UCS-2");
    const ok = validate(variantDoc([{ locale: "zh-CN", template: "好".repeat(60) }]), {
      maxSmsParts: 1,
    });
    expect(ok.filter((i) => i.code === "sms_too_long")).toEqual([]);
  });

  it("refuses bad tags, duplicates and content for another channel, naming the variant", () => {
    const d = variantDoc([
      { locale: "zh_CN", template: "a" },
      { locale: "en", template: "b" },
      { locale: "EN", template: "c" },
      { locale: "fr", template: "d", email: { subject: "x" } },
    ]);
    expect(issuesOf(d).map((i) => [i.code, i.path.slice(3)])).toEqual([
      ["variant_bad_locale", ["variants", 0, "locale"]],
      ["variant_duplicate_locale", ["variants", 2, "locale"]],
      ["variant_wrong_channel", ["variants", 3, "email"]],
    ]);
  });

  it("refuses a variant in another form than its send: template SMS or free text", () => {
    const approved = { code: "SMS_1", signName: "Shop", params: [] };
    const template = variantDoc([{ locale: "en", template: "Your order shipped" }]);
    const send = (template as { nodes: { send?: Record<string, unknown> }[] }).nodes[1]?.send;
    if (send) {
      send.template = "您的订单已发货";
      send.smsTemplate = approved;
    }
    expect(issuesOf(template).map((i) => [i.code, i.path.slice(3)])).toEqual([
      ["variant_wrong_channel", ["variants", 0, "smsTemplate"]],
    ]);
    const free = variantDoc([
      { locale: "zh-CN", template: "您的订单已发货", smsTemplate: approved },
    ]);
    expect(issuesOf(free).map((i) => [i.code, i.path.slice(3)])).toEqual([
      ["variant_wrong_channel", ["variants", 0, "smsTemplate"]],
    ]);
  });

  it("warns a variant email without its own subject, and keeps old documents valid", () => {
    const email = variantDoc([{ locale: "zh-CN", template: "你好" }], "email");
    const send = (email as { nodes: { send?: Record<string, unknown> }[] }).nodes[1]?.send;
    if (send) send.email = { subject: "Hi" };
    expect(issuesOf(email).map((i) => [i.code, i.path.slice(3)])).toEqual([
      ["email_no_subject", ["variants", 0, "email"]],
    ]);
    const old = doc(
      [
        trigger(),
        { id: "a", type: "send", send: { channel: "sms", category: "service", template: "x" } },
        exit(),
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    );
    expect(issuesOf(old)).toEqual([]);
  });

  it("parses variants in the format and refuses unknown fields in them", () => {
    expect(parseJourney(variantDoc([{ locale: "zh-CN", template: "你好" }])).ok).toBe(true);
    const bad = parseJourney(variantDoc([{ locale: "zh-CN", template: "你好", color: "red" }]));
    expect(bad.ok).toBe(false);
  });
});
