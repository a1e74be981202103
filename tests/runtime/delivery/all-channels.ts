/**
 * One journey that sends on every channel, in order: an email, a template SMS, a push and a
 * webhook (its URL's query and its Authorization header carry secrets the console must not
 * show). Shared by the inspector's API test and its browser test.
 */
export const TOKEN_IN_QUERY = "q-secret-9f8e7d";
export const TOKEN_IN_HEADER = "h-secret-1a2b3c";

export function allChannelsJourney(id: string, event: string, webhookBase: string) {
  const send = (nodeId: string, s: Record<string, unknown>) => ({
    id: nodeId,
    type: "send",
    send: { category: "transactional", ...s },
  });
  const nodes = [
    { id: "start", type: "trigger", trigger: { kind: "event", event } },
    send("mail", {
      channel: "email",
      template: "Your order {{ event.order }} shipped.",
      email: {
        subject: "Order {{ event.order }} is on its way",
        html: "<p>Your order {{ event.order }} shipped.</p>",
        from: "Shop <orders@shop.example>",
      },
    }),
    send("text", {
      channel: "sms",
      template: `您的订单\${order}已发货`,
      smsTemplate: {
        code: "SMS_154950909",
        signName: "阿里云",
        params: [{ name: "order", value: "{{ event.order }}" }],
      },
    }),
    send("ping", {
      channel: "push",
      template: "Tap to track it.",
      push: {
        title: "Order {{ event.order }} shipped",
        url: "https://shop.example/track/{{ event.order }}",
      },
    }),
    send("crm", {
      channel: "webhook",
      template: "order {{ event.order }}",
      webhook: {
        method: "PUT",
        url: `${webhookBase}/orders/{{ event.order }}?token=${TOKEN_IN_QUERY}`,
        headers: { Authorization: `Bearer ${TOKEN_IN_HEADER}` },
        body: { order: "{{ event.order }}" },
      },
    }),
    { id: "done", type: "exit" },
  ];
  const ids = nodes.map((n) => n.id);
  return {
    format: "waymark/journey@1",
    id,
    name: "Every channel",
    nodes,
    edges: ids.slice(1).map((to, i) => ({ from: ids[i] as string, to })),
  };
}
