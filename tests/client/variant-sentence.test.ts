import { describe, expect, it } from "vitest";
import type { TimelineRow } from "../../client/src/api.ts";
import { i18n } from "../../client/src/i18n/index.ts";
import { timelineSentence } from "../../client/src/pages/contact/sentences.ts";

/** Issue 20: the inspector's timeline names the variant a contact was sent, in both languages. */
describe("a sent row with a variant", () => {
  const row = (extra: Partial<TimelineRow>): TimelineRow => ({
    at: "2026-12-06T06:03:00Z",
    nodeId: "sms1",
    type: "sent",
    channel: "sms",
    detail: "promotional SMS, 1 part UCS-2 (zh-CN variant)",
    ...extra,
  });
  const say = (lng: string, r: TimelineRow) =>
    timelineSentence(r, i18n.getFixedT(lng), lng, "Asia/Shanghai");

  it("names the locale, or the default, and says nothing more without variants", () => {
    expect(say("en", row({ variant: "zh-CN" }))).toBe("sent by sms (zh-CN variant)");
    expect(say("zh-CN", row({ variant: "zh-CN" }))).toBe("已通过短信发送（zh-CN版本）");
    expect(say("en", row({ variant: "default" }))).toBe("sent by sms (Default variant)");
    expect(say("zh-CN", row({ variant: "default" }))).toBe("已通过短信发送（默认版本）");
    expect(say("en", row({}))).toBe("sent by sms");
  });
});
