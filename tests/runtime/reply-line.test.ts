import { describe, expect, it } from "vitest";
import { eventDetail, replyOf } from "../../server/runtime/step-batch.ts";

/**
 * An event's timeline row carries what a reply said and did as data (issue #20: the console
 * words it in the operator's language), beside the English line the CLI and tooltips keep.
 */
describe("a reply's timeline line", () => {
  const reply = (body: unknown) => ({ name: "message.replied", properties: { body } });

  it("carries the reply's text and what it did", () => {
    expect(replyOf(reply(" STOP "))).toEqual({ reply: "STOP", replyAction: "opt_out" });
    expect(replyOf(reply("unstop"))).toEqual({ reply: "unstop", replyAction: "opt_in" });
    expect(replyOf(reply("where is my order?"))).toEqual({
      reply: "where is my order?",
      replyAction: null,
    });
    // Long replies are cut as the English line cuts them.
    const long = replyOf(reply("x".repeat(200)));
    expect("reply" in long && long.reply).toBe(`${"x".repeat(119)}…`);
  });

  it("adds nothing to other events, or a reply without text", () => {
    expect(replyOf({ name: "purchased", properties: { body: "STOP" } })).toEqual({});
    expect(replyOf(reply(42))).toEqual({});
    expect(replyOf({ name: "message.replied" })).toEqual({});
  });

  it("keeps the English line as it was", () => {
    expect(eventDetail(reply("STOP"))).toBe("replied “STOP” → opted out of SMS (every category)");
    expect(eventDetail(reply("START"))).toBe("replied “START” → opted back in to SMS");
    expect(eventDetail(reply("hi"))).toBe("replied “hi”");
    expect(eventDetail({ name: "purchased" })).toBe("received purchased");
  });
});
