import { describe, expect, it } from "vitest";
import { validate } from "../../../engine/index.ts";
import {
  composeMessage,
  DEFAULT_LINK_SHAPE,
  previewMessage,
  sampleTrackedLink,
  trackedLink,
} from "../../../engine/sms/index.ts";

const spec = {
  channel: "sms",
  category: "promotional",
  template: `Hi {{ user.firstName }} ${"x".repeat(100)} {{ "https://shop.example.com" | track }}`,
} as const;
const vars = { user: { firstName: "Alex" }, event: {} };

describe("one computation of the message as sent (engine/sms/compose.ts)", () => {
  it("a preview's link is as long as the runtime's, so text, encoding and parts agree", () => {
    const shape = { base: "https://go.shop.example/", tokenLength: 22 };
    const token = "Zz_-0123456789abcdefgh";
    const sent = composeMessage(spec, {
      vars,
      contactLocale: "en",
      trackLink: () => trackedLink(shape.base, token),
    });
    const preview = previewMessage(spec, { vars, contactLocale: "en", linkShape: shape });
    expect(sampleTrackedLink(shape)).toHaveLength(trackedLink(shape.base, token).length);
    expect(sent.ok && preview.ok).toBe(true);
    if (!sent.ok || !preview.ok) return;
    expect(sent.body).toContain("https://go.shop.example/l/Zz_-0123456789abcdefgh\nReply STOP");
    expect(preview.body.length).toBe(sent.body.length);
    expect(preview.segments).toEqual(sent.segments);
    expect(sent.segments).toMatchObject({ encoding: "GSM-7", parts: 2 });
    expect(preview.optOutLine).toBe("Reply STOP to opt out");
  });

  it("validation counts the link the server mints (sms_too_long with the given shape)", () => {
    const doc = {
      format: "waymark/journey@1",
      id: "j",
      name: "J",
      nodes: [
        { id: "t", type: "trigger", trigger: { kind: "api" } },
        {
          id: "s",
          type: "send",
          send: { ...spec, template: `${"y".repeat(110)} {{ "https://a.example" | track }}` },
        },
        { id: "x", type: "exit" },
      ],
      edges: [
        { from: "t", to: "s" },
        { from: "s", to: "x" },
      ],
    };
    const codes = (shape: { base: string; tokenLength: number }) =>
      validate(doc, { maxSmsParts: 1, linkShape: shape }).map((i) => i.code);
    // 111 + 46 + 22 = 179 with the default install's link; 111 + 18 + 22 = 151 with a short one.
    expect(codes(DEFAULT_LINK_SHAPE)).toEqual(["sms_too_long"]);
    expect(codes({ base: "https://a.io", tokenLength: 3 })).toEqual([]);
  });
});
