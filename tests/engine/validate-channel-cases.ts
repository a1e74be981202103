import { type IssueCode, validate } from "../../engine/index.ts";
import { doc } from "./helpers.ts";
import { type IssueCase, send, T, X } from "./validate-nodes.ts";

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

/** The cases of a send's channel fields: email, webhook, push and template SMS. */
export const CHANNEL_CASES = {
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
  push_fields_wrong_channel: () => ({
    doc: doc(
      [
        T,
        {
          ...send("a", "ping", "sms"),
          send: { ...send("a", "ping", "sms").send, push: { title: "Hi" } },
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
  push_no_title: () => ({
    doc: doc(
      [T, send("a", "Hello", "push"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  push_url_invalid: () => ({
    doc: doc(
      [
        T,
        {
          ...send("a", "ping", "push"),
          send: {
            ...send("a", "ping", "push").send,
            push: { title: "Hi", icon: "http://cdn.example/i.png" },
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
  sms_free_text_template_provider: () => ({
    issues: validate(
      doc(
        [T, send("a", "Your order shipped"), X],
        [
          ["start", "a"],
          ["a", "done"],
        ],
      ),
      { smsProvider: { name: "aliyun", templates: true } },
    ),
    nodeId: "a",
  }),
  sms_template_free_text_provider: () => ({
    issues: validate(tplCase({}).doc, { smsProvider: { name: "twilio", templates: false } }),
    nodeId: "a",
  }),
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
} satisfies Partial<Record<IssueCode, IssueCase>>;
