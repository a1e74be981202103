import { doc } from "./helpers.ts";
import { type IssueCase, T, X } from "./validate-nodes.ts";

/** An SMS send with the given variants, between the trigger and the exit. */
export function variantDoc(variants: unknown[], channel = "sms") {
  const node = {
    id: "a",
    type: "send",
    send: { channel, category: "promotional", template: "Hi {{ user.firstName }}", variants },
  };
  return doc(
    [T, node, X],
    [
      ["start", "a"],
      ["a", "done"],
    ],
  );
}

/** One document per variant code (issue #20), spread into validate-content-cases.ts. */
export const VARIANT_CASES = {
  variant_bad_locale: (): ReturnType<IssueCase> => ({
    doc: variantDoc([{ locale: "zh_CN", template: "你好" }]),
    nodeId: "a",
  }),
  variant_duplicate_locale: (): ReturnType<IssueCase> => ({
    doc: variantDoc([
      { locale: "zh-CN", template: "你好" },
      { locale: "zh-cn", template: "您好" },
    ]),
    nodeId: "a",
  }),
  variant_wrong_channel: (): ReturnType<IssueCase> => ({
    doc: variantDoc([{ locale: "en", template: "Hi", push: { title: "Hello" } }]),
    nodeId: "a",
  }),
};
