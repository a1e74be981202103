import { describe, expect, it } from "vitest";
import { parseJourney, validate } from "../../engine/index.ts";
import {
  composeTemplateSms,
  countChinaSms,
  placeholders,
  signedText,
} from "../../engine/sms-template/index.ts";
import { doc } from "./helpers.ts";

describe("China template SMS: the count, the filled text, the validation data", () => {
  it("counts every character 1 against 70, then 67 per part, sign name included", () => {
    expect(countChinaSms("a".repeat(70))).toEqual({ characters: 70, parts: 1 });
    expect(countChinaSms("a".repeat(71))).toEqual({ characters: 71, parts: 2 });
    expect(countChinaSms("订".repeat(134))).toEqual({ characters: 134, parts: 2 });
    expect(countChinaSms("订".repeat(135))).toEqual({ characters: 135, parts: 3 });
    // An emoji outside the BMP is one character, not two UTF-16 units.
    expect(countChinaSms("🎁好").characters).toBe(2);
    expect(countChinaSms(signedText("阿里云", "订单已发货")).characters).toBe(10);
  });

  it("fills each placeholder with its rendered value after 【sign】; a missing one stays visible", () => {
    const fields = {
      code: "SMS_1",
      signName: "猫粮商城",
      params: [
        { name: "name", value: "{{ user.firstName }}" },
        { name: "sku", value: "{{ event.sku | upcase }}" },
      ],
    };
    const text = `亲爱的\${name}，\${sku}已发货，\${eta}送达`;
    expect(placeholders(text)).toEqual(["name", "sku", "eta"]);
    const r = composeTemplateSms(
      fields,
      text,
      { user: { firstName: "小美" }, event: { sku: "sku-1" }, journey: {} },
      { trackLink: () => "https://t.example/x" },
    );
    expect(r).toEqual({
      ok: true,
      body: `【猫粮商城】亲爱的小美，SKU-1已发货，\${eta}送达`,
      request: {
        kind: "sms_template",
        code: "SMS_1",
        signName: "猫粮商城",
        params: [
          { name: "name", value: "小美" },
          { name: "sku", value: "SKU-1" },
        ],
      },
    });
  });

  it("a link in a parameter is a warning the canvas can paint: {code, message, nodeId, path, params}", () => {
    const send = {
      id: "s",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: `点击\${link}领券，拒收请回复R`,
        smsTemplate: {
          code: "SMS_2",
          signName: "阿里云",
          params: [{ name: "link", value: '{{ "https://shop.example/c" | track }}' }],
        },
      },
    };
    const parsed = parseJourney(
      doc(
        [{ id: "t", type: "trigger", trigger: { kind: "api" } }, send, { id: "x", type: "exit" }],
        [
          ["t", "s"],
          ["s", "x"],
        ],
      ),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const issues = validate(parsed.journey).filter((i) => i.code.startsWith("sms_template"));
    expect(issues).toEqual([
      {
        code: "sms_template_param_link",
        severity: "warning",
        message: expect.stringContaining("forbid variable and shortened links"),
        nodeId: "s",
        path: ["nodes", 1, "send", "smsTemplate", "params", 0, "value"],
        params: { name: "link" },
      },
    ]);
  });
});
