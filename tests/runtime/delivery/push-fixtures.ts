import { afterAll, beforeAll } from "vitest";
import webpush from "web-push";
import type { DatabaseKind } from "../../../server/db/connect.ts";
import type { Gate } from "../../../server/db/gate.ts";
import type { DeliveryConfig } from "../../../server/delivery/config.ts";
import { createProviders } from "../../../server/delivery/providers/index.ts";
import type { ProviderSet } from "../../../server/delivery/types.ts";
import type { TestApp } from "../../helpers/app.ts";
import type { TestDatabase } from "../../helpers/databases.ts";
import { PUSH_CA, startPushService } from "../../helpers/fake-push.ts";
import { type ChannelHarness, channelHarness, silent } from "./channel-harness.ts";

/** What the web push tests share: VAPID keys, the journeys, a push service, the set-up. */

export const VAPID = webpush.generateVAPIDKeys();
export const SUBJECT = "mailto:ops@shop.example";
export const PUSH_ENV = {
  WAYMARK_VAPID_PUBLIC_KEY: VAPID.publicKey,
  WAYMARK_VAPID_PRIVATE_KEY: VAPID.privateKey,
  WAYMARK_VAPID_SUBJECT: SUBJECT,
  WAYMARK_PUSH_ALLOW_HOSTS: "127.0.0.1",
  WAYMARK_DELIVERY_TIMEOUT_MS: "2000",
};

export const pushJourney = (
  id: string,
  event: string,
  category: string,
  push?: Record<string, unknown>,
) => ({
  format: "waymark/journey@1",
  id,
  name: id,
  settings: { testList: ["tess"] },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event } },
    {
      id: "p1",
      type: "send",
      send: {
        channel: "push",
        category,
        template: "Order {{ event.order }} is on its way, {{ user.firstName }}",
        ...(push ? { push } : {}),
      },
    },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "p1" },
    { from: "p1", to: "done" },
  ],
});

/** The providers with web push trusting the fake service's certificate (and using `gate`). */
export function pushProviders(
  config: DeliveryConfig,
  ctx: { db: TestDatabase; app: TestApp },
  gate?: Gate,
): ProviderSet {
  return createProviders(config, silent, undefined, {
    knex: ctx.db.knex,
    crypto: ctx.app.crypto,
    ca: PUSH_CA,
    ...(gate ? { gate } : {}),
  });
}

export interface PushHarness {
  base: ChannelHarness;
  readonly service: Awaited<ReturnType<typeof startPushService>>;
  /** Registers a browser subscription for the contact with the write key. */
  subscribe(userId: string, subscription: unknown): ReturnType<TestApp["ingest"]>;
  /** A subscriber endpoint on the push service, per database so the two runs do not mix. */
  endpoint(name: string): string;
  pathOf(name: string): string;
  requestsTo(name: string): Awaited<ReturnType<typeof startPushService>>["received"];
  subscriptionsOf(userId: string): Promise<{ id: number; subscription_encrypted: string }[]>;
}

/** A push service on a loopback HTTPS port and the channel set-up with both push journeys. */
export function pushHarness(kind: DatabaseKind): PushHarness {
  let service: Awaited<ReturnType<typeof startPushService>> | undefined;
  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(async () => {
    await service?.close();
  });
  const base = channelHarness(kind, {
    workerId: "push-test",
    env: () => PUSH_ENV,
    providers: pushProviders,
    journeys: () => [
      pushJourney("shipped", "order_shipped", "transactional", {
        title: "{{ user.firstName }}, your order shipped",
        icon: "https://cdn.shop.example/i/{{ user.plan }}.png",
        url: "https://shop.example/orders/{{ event.order }}?u={{ user.id }}",
      }),
      pushJourney("promo", "browsed", "promotional", { title: "20% off today" }),
    ],
  });
  const live = () => {
    if (!service) throw new Error("the push service is not started yet");
    return service;
  };
  const pathOf = (name: string) => `/${kind}/${name}`;
  return {
    base,
    get service() {
      return live();
    },
    subscribe: (userId, subscription) =>
      base.app.ingest("/v1/push/subscriptions", { userId, subscription }),
    endpoint: (name) => `${live().origin}${pathOf(name)}`,
    pathOf,
    requestsTo: (name) => live().received.filter((r) => r.path === pathOf(name)),
    subscriptionsOf: async (userId) =>
      (await base.db
        .knex("push_subscriptions as s")
        .join("contacts as c", "c.id", "s.contact_id")
        .where({ "c.external_id": userId })
        .select("s.id", "s.subscription_encrypted")) as {
        id: number;
        subscription_encrypted: string;
      }[],
  };
}
