import type { Issue, IssueCode, Journey } from "../../engine/index.ts";
import { parseJourney, validate } from "../../engine/index.ts";
import { unknownAudienceIssues } from "../../engine/nodes/branch.ts";
import { doc } from "./helpers.ts";

// Node builders and one journey document per issue code: the table validate.test.ts runs.
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

/** A template SMS send (send.smsTemplate) with one field changed, for the sms_template_* codes. */
function tplCase(o: { channel?: string; template?: string; params?: unknown[] }) {
  const node = {
    id: "a",
    type: "send",
    send: {
      channel: o.channel ?? "sms",
      category: "promotional",
      template: o.template ?? `订单\${order}已发货，拒收请回复R`,
      smsTemplate: {
        code: "SMS_154950909",
        signName: "阿里云",
        params: o.params ?? [{ name: "order", value: "{{ event.orderId }}" }],
      },
    },
  };
  return {
    doc: doc(
      [T, node, X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  };
}

export function journeyOf(d: unknown): Journey {
  const parsed = parseJourney(d);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.journey;
}

/** One document per code, each producing that code. */
export const CASES: Record<
  IssueCode,
  () => { doc?: unknown; text?: string; issues?: Issue[]; nodeId?: string }
> = {
  not_json: () => ({ text: "{ nope" }),
  schema: () => ({ doc: { ...doc([T, X], [["start", "done"]]), nodes: "x" } }),
  unsupported_format: () => ({ doc: { ...doc([T, X], [["start", "done"]]), format: "other@1" } }),
  bad_duration: () => ({
    doc: doc(
      [T, wait("w", "P"), X],
      [
        ["start", "w"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  bad_time: () => ({
    doc: doc(
      [T, { id: "w", type: "wait", wait: { kind: "time_of_day", time: "7pm" } }, X],
      [
        ["start", "w"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  no_trigger: () => ({ doc: doc([wait("w"), X], [["w", "done"]]) }),
  multiple_triggers: () => ({
    doc: doc(
      [T, { ...T, id: "t2" }, X],
      [
        ["start", "done"],
        ["t2", "done"],
      ],
    ),
    nodeId: "t2",
  }),
  duplicate_node_id: () => ({
    doc: doc(
      [T, wait("w"), wait("w"), X],
      [
        ["start", "w"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  dangling_edge: () => ({
    doc: doc(
      [T, X],
      [
        ["start", "done"],
        ["start", "ghost"],
      ],
    ),
  }),
  edge_into_trigger: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "w"],
        ["w", "start"],
        ["w", "done"],
      ],
    ),
    nodeId: "start",
  }),
  edge_from_exit: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "w"],
        ["w", "done"],
        ["done", "w"],
      ],
    ),
    nodeId: "done",
  }),
  unexpected_path: () => ({ doc: doc([T, X], [["start", "done", "yes"]]), nodeId: "start" }),
  duplicate_path: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "w"],
        ["start", "done"],
        ["w", "done"],
      ],
    ),
    nodeId: "start",
  }),
  branch_missing_path: () => ({
    doc: doc(
      [T, evBranch("b"), X],
      [
        ["start", "b"],
        ["b", "done", "yes"],
      ],
    ),
    nodeId: "b",
  }),
  split_percent_sum: () => ({
    doc: doc(
      [
        T,
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 50 },
              { name: "b", percent: 40 },
            ],
          },
        },
        X,
      ],
      [
        ["start", "s"],
        ["s", "done", "a"],
        ["s", "done", "b"],
      ],
    ),
    nodeId: "s",
  }),
  split_duplicate_arm: () => ({
    doc: doc(
      [
        T,
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 50 },
              { name: "a", percent: 50 },
            ],
          },
        },
        X,
      ],
      [
        ["start", "s"],
        ["s", "done", "a"],
      ],
    ),
    nodeId: "s",
  }),
  split_arm_without_edge: () => ({
    doc: doc(
      [
        T,
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 50 },
              { name: "b", percent: 50 },
            ],
          },
        },
        X,
      ],
      [
        ["start", "s"],
        ["s", "done", "a"],
      ],
    ),
    nodeId: "s",
  }),
  unreachable_node: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "done"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  cycle_without_wait: () => ({
    doc: doc(
      [
        T,
        send("a"),
        branch("c", { kind: "condition", conditions: [{ field: "vip", op: "eq", value: true }] }),
        X,
      ],
      [
        ["start", "a"],
        ["a", "c"],
        ["c", "a", "yes"],
        ["c", "done", "no"],
      ],
    ),
    nodeId: "a",
  }),
  dead_end: () => ({ doc: doc([T, send("a")], [["start", "a"]]), nodeId: "a" }),
  never_exits: () => ({
    doc: doc(
      [T, wait("w1"), wait("w2")],
      [
        ["start", "w1"],
        ["w1", "w2"],
        ["w2", "w1"],
      ],
    ),
    nodeId: "w1",
  }),
  unknown_template_variable: () => ({
    doc: doc(
      [T, send("a", "Hi {{ firstName }}"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  template_unknown_attribute: () => ({
    issues: validate(
      doc(
        [T, send("a", "Hi {{ user.fristName }}"), X],
        [
          ["start", "a"],
          ["a", "done"],
        ],
      ),
      { templateNames: { user: ["firstName"] } },
    ),
    nodeId: "a",
  }),
  template_unknown_event_property: () => ({
    issues: validate(
      doc(
        [T, send("a", "Your {{ event.skew }}"), X],
        [
          ["start", "a"],
          ["a", "done"],
        ],
      ),
      { templateNames: { events: { go: ["sku"] } } },
    ),
    nodeId: "a",
  }),
  template_syntax: () => ({
    doc: doc(
      [T, send("a", "Hi {{ user.firstName | nosuchfilter }}"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  reserved_name: () => ({
    doc: doc(
      [T, { ...wait("w"), id: "__proto__" }, X],
      [
        ["start", "__proto__"],
        ["__proto__", "done"],
      ],
    ),
    nodeId: "__proto__",
  }),
  bad_attribute_name: () => ({
    doc: doc(
      [T, { id: "u", type: "update", update: { kind: "increment", attribute: "a.b", by: 1 } }, X],
      [
        ["start", "u"],
        ["u", "done"],
      ],
    ),
    nodeId: "u",
  }),
  bad_text: () => ({
    doc: doc(
      [T, send("a", "Hi \u0000"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  template_budget: () => ({
    doc: doc(
      [
        T,
        send(
          "a",
          `{% assign s = "${"x".repeat(300)}" | split: "" %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}`,
          "email",
        ),
        X,
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  engagement_target_not_send: () => ({
    doc: doc(
      [
        T,
        wait("w"),
        branch("b", { kind: "engagement", node: "w", signal: "clicked", within: "P1D" }),
        X,
      ],
      [
        ["start", "w"],
        ["w", "b"],
        ["b", "done", "yes"],
        ["b", "done", "no"],
      ],
    ),
    nodeId: "b",
  }),
  engagement_target_not_upstream: () => ({
    doc: doc(
      [
        T,
        branch("b", { kind: "engagement", node: "a", signal: "clicked", within: "P1D" }),
        send("a"),
        X,
      ],
      [
        ["start", "b"],
        ["b", "a", "yes"],
        ["b", "done", "no"],
        ["a", "done"],
      ],
    ),
    nodeId: "b",
  }),
  engagement_signal_channel: () => ({
    doc: doc(
      [
        T,
        send("a", "ping", "webhook"),
        branch("b", { kind: "engagement", node: "a", signal: "opened", within: "P1D" }),
        X,
      ],
      [
        ["start", "a"],
        ["a", "b"],
        ["b", "done", "yes"],
        ["b", "done", "no"],
      ],
    ),
    nodeId: "b",
  }),
  email_fields_wrong_channel: () => ({
    doc: doc(
      [T, { ...send("a"), send: { ...send("a").send, email: { subject: "Hi" } } }, X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  webhook_fields_wrong_channel: () => ({
    doc: doc(
      [
        T,
        {
          ...send("a", "ping", "sms"),
          send: {
            ...send("a", "ping", "sms").send,
            webhook: { method: "POST", url: "https://hooks.example/x" },
          },
        },
        X,
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  webhook_url_invalid: () => ({
    doc: doc(
      [
        T,
        {
          ...send("a", "ping", "webhook"),
          send: {
            ...send("a", "ping", "webhook").send,
            webhook: { method: "POST", url: "https://{{ user.host }}/x" },
          },
        },
        X,
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  webhook_header_refused: () => ({
    doc: doc(
      [
        T,
        {
          ...send("a", "ping", "webhook"),
          send: {
            ...send("a", "ping", "webhook").send,
            webhook: {
              method: "POST",
              url: "https://hooks.example/x",
              headers: { "Transfer-Encoding": "chunked" },
            },
          },
        },
        X,
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  webhook_body_on_get: () => ({
    doc: doc(
      [
        T,
        {
          ...send("a", "ping", "webhook"),
          send: {
            ...send("a", "ping", "webhook").send,
            webhook: { method: "GET", url: "https://hooks.example/x", body: { a: 1 } },
          },
        },
        X,
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  sms_template_wrong_channel: () => tplCase({ channel: "email" }),
  sms_template_text_liquid: () =>
    tplCase({ template: `您好{{ user.firstName }}，订单\${order}已发货` }),
  sms_template_param_missing: () => tplCase({ template: `订单\${order}已发货，签收码\${code}` }),
  sms_template_param_unused: () =>
    tplCase({
      params: [
        { name: "order", value: "{{ event.orderId }}" },
        { name: "extra", value: "x" },
      ],
    }),
  sms_template_param_link: () =>
    tplCase({ params: [{ name: "order", value: '{{ "https://shop.example/o" | track }}' }] }),
  email_no_subject: () => ({
    doc: doc(
      [T, send("a", "Hello", "email"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  sms_too_long: () => ({
    doc: doc(
      [T, send("a", "x".repeat(500)), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  // A cooldown from before `applies` existed holds all journeys, its own later SMS included.
  cooldown_blocks_own_send: () => ({
    doc: doc(
      [
        T,
        send("a"),
        { id: "cd", type: "cooldown", cooldown: { duration: "P7D", scope: "promotional" } },
        send("b"),
        X,
      ],
      [
        ["start", "a"],
        ["a", "cd"],
        ["cd", "b"],
        ["b", "done"],
      ],
    ),
    nodeId: "b",
  }),
  // The server's check on publish (it knows the saved audiences); the engine supplies it.
  audience_unknown: () => ({
    issues: unknownAudienceIssues(
      journeyOf(
        doc(
          [
            T,
            {
              id: "vip",
              type: "branch",
              branch: { kind: "condition", conditions: [], audience: "vips" },
            },
            X,
          ],
          [
            ["start", "vip"],
            ["vip", "done", "yes"],
            ["vip", "done", "no"],
          ],
        ),
      ),
      new Set(["regulars"]),
    ),
    nodeId: "vip",
  }),
};
