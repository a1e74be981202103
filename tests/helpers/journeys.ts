/**
 * Small journeys for runtime tests, in format v1. Waits are short so a test can also run them
 * in real time; tests usually move a manual clock instead.
 */
export function cartReminder(id = "cart-test", wait = "PT1H") {
  return {
    format: "waymark/journey@1",
    id,
    name: "Cart reminder (test)",
    settings: {
      reentry: { mode: "never" },
      exitOn: [{ event: "purchased" }],
      goal: { event: "purchased", within: "P7D" },
    },
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: "cart_abandoned" } },
      { id: "wait1", type: "wait", wait: { kind: "duration", duration: wait } },
      {
        id: "sms1",
        type: "send",
        send: {
          channel: "sms",
          category: "promotional",
          template:
            "Hi {{ user.firstName }}, your cart is waiting: {{ 'https://shop.example/cart' | track }}",
        },
      },
      {
        id: "clicked",
        type: "branch",
        branch: { kind: "engagement", node: "sms1", signal: "clicked", within: "P2D" },
      },
      {
        id: "sms2",
        type: "send",
        send: {
          channel: "sms",
          category: "promotional",
          template: "Last chance, {{ user.firstName }}: 10% off",
        },
      },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "wait1" },
      { from: "wait1", to: "sms1" },
      { from: "sms1", to: "clicked" },
      { from: "clicked", to: "done", path: "yes" },
      { from: "clicked", to: "sms2", path: "no" },
      { from: "sms2", to: "done" },
    ],
  };
}

/** Sends one promotional SMS right away on `promo_ready`, for cap tests across journeys. */
export function promoBlast(id: string) {
  return {
    format: "waymark/journey@1",
    id,
    name: `Promo ${id}`,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: "promo_ready" } },
      {
        id: "sms",
        type: "send",
        send: { channel: "sms", category: "promotional", template: `Deal from ${id}` },
      },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "sms" },
      { from: "sms", to: "done" },
    ],
  };
}

/** Enters on `visited`, then waits up to a day for `purchased`: yes → exit, no → exit. */
export function purchaseBranch(id: string) {
  return {
    format: "waymark/journey@1",
    id,
    name: "Purchase branch",
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "event", event: "visited" } },
      {
        id: "bought",
        type: "branch",
        branch: { kind: "event", event: "purchased", within: "P1D" },
      },
      { id: "done", type: "exit" },
      { id: "gave_up", type: "exit" },
    ],
    edges: [
      { from: "start", to: "bought" },
      { from: "bought", to: "done", path: "yes" },
      { from: "bought", to: "gave_up", path: "no" },
    ],
  };
}

/**
 * An API-triggered journey with one send step, `nodeId`, then an exit: what a test of the send
 * step's form (its fields, its preview) opens in the editor.
 */
export function oneSend(id: string, send: Record<string, unknown>, nodeId = "send1") {
  return {
    format: "waymark/journey@1",
    id,
    name: id,
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "api" } },
      { id: nodeId, type: "send", send },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: nodeId },
      { from: nodeId, to: "done" },
    ],
  };
}

/**
 * A journey entered through the API, with a test list, so enroll and test-send have work; its
 * email's test send gives the email routes (unsubscribe, pixel, bounce webhook) a message.
 */
export function apiJourney(id: string) {
  return {
    format: "waymark/journey@1",
    id,
    name: "API welcome",
    settings: { testList: ["u-1"] },
    nodes: [
      { id: "start", type: "trigger", trigger: { kind: "api" } },
      {
        id: "sms1",
        type: "send",
        send: {
          channel: "sms",
          category: "transactional",
          template: "Welcome: {{ 'https://shop.example/w' | track }}",
        },
      },
      {
        id: "mail1",
        type: "send",
        send: {
          channel: "email",
          category: "promotional",
          template: "Welcome, {{ user.firstName }}",
          email: { subject: "Welcome" },
        },
      },
      { id: "done", type: "exit" },
    ],
    edges: [
      { from: "start", to: "sms1" },
      { from: "sms1", to: "mail1" },
      { from: "mail1", to: "done" },
    ],
  };
}
