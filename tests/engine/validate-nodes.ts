import type { Issue } from "../../engine/index.ts";

/** What a validation case gives: a document (or its text, or issues computed elsewhere). */
export type IssueCase = () => { doc?: unknown; text?: string; issues?: Issue[]; nodeId?: string };

/** Steps the validation cases build their documents from. */
export const T = { id: "start", type: "trigger", trigger: { kind: "event", event: "go" } };
export const X = { id: "done", type: "exit" };
export const send = (id: string, template = "Hi {{ user.firstName }}", channel = "sms") => ({
  id,
  type: "send",
  send: { channel, category: "promotional", template },
});
export const wait = (id: string, duration = "PT1H") => ({
  id,
  type: "wait",
  wait: { kind: "duration", duration },
});
export const branch = (id: string, b: unknown) => ({ id, type: "branch", branch: b });
export const evBranch = (id: string) =>
  branch(id, { kind: "event", event: "bought", within: "P1D" });
