import { describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.ts";
import { newSubscriber } from "../../helpers/fake-push.ts";
import { pushHarness, VAPID } from "./push-fixtures.ts";

/**
 * Issue 19, web push subscriptions: a site registers its users' browser subscriptions with the
 * write key, encrypted at rest, several per contact, removable; hostile ones are refused naming
 * the field. Delivery: push.test.ts.
 */

describe.each(databaseKinds)("web push subscriptions on %s", (kind) => {
  const p = pushHarness(kind);
  const h = p.base;
  const { subscribe, endpoint, subscriptionsOf } = p;

  it("registers a browser's subscription by write key, encrypted at rest, several per contact, removable", async () => {
    const phone = newSubscriber(endpoint("reg-phone"));
    const laptop = newSubscriber(endpoint("reg-laptop"));
    expect((await subscribe("reg", phone.json)).status).toBe(200);
    expect((await subscribe("reg", laptop.json)).status).toBe(200);
    // Registering the same browser again refreshes it rather than adding a row.
    expect((await subscribe("reg", phone.json)).status).toBe(200);
    const rows = await subscriptionsOf("reg");
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.subscription_encrypted).not.toContain("127.0.0.1");
      expect(r.subscription_encrypted).not.toContain(phone.json.keys.p256dh);
      expect(JSON.parse(h.app.crypto.decrypt(r.subscription_encrypted))).toHaveProperty("endpoint");
    }
    // The same browser registered by another user (someone else signs in) moves to them.
    expect((await subscribe("reg-2", laptop.json)).status).toBe(200);
    expect(await subscriptionsOf("reg")).toHaveLength(1);
    expect(await subscriptionsOf("reg-2")).toHaveLength(1);

    const remove = (body: unknown) =>
      fetch(`${h.app.url}/v1/push/subscriptions`, {
        method: "DELETE",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${h.app.writeKey}:`).toString("base64")}`,
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    expect(await remove({ endpoint: phone.json.endpoint })).toEqual({
      status: 200,
      body: { success: true, removed: true },
    });
    expect(await remove({ endpoint: phone.json.endpoint })).toMatchObject({
      body: { removed: false },
    });
    expect(await subscriptionsOf("reg")).toHaveLength(0);

    const key = await fetch(`${h.app.url}/v1/push/vapid-public-key`).then((r) => r.json());
    expect(key).toEqual({ publicKey: VAPID.publicKey });
  });

  it("refuses hostile subscriptions with a 4xx naming the field", async () => {
    const good = newSubscriber(endpoint("hostile")).json;
    const cases: [unknown, number, string][] = [
      [{ ...good, endpoint: "http://push.example/x" }, 400, "subscription.endpoint"],
      [{ ...good, endpoint: "https://user:pw@push.example/x" }, 400, "subscription.endpoint"],
      [{ ...good, endpoint: "not a url" }, 400, "subscription.endpoint"],
      [
        { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(33, 4).toString("base64url") } },
        400,
        "subscription.keys.p256dh",
      ],
      [{ ...good, keys: { ...good.keys, p256dh: "!!!" } }, 400, "subscription.keys.p256dh"],
      [
        { ...good, keys: { ...good.keys, auth: Buffer.alloc(8).toString("base64url") } },
        400,
        "subscription.keys.auth",
      ],
      [{ endpoint: good.endpoint }, 400, "subscription.keys"],
      [
        { ...good, endpoint: `https://push.example/${"x".repeat(5000)}` },
        400,
        "subscription.endpoint",
      ],
    ];
    for (const [subscription, status, field] of cases) {
      const r = await subscribe("hostile", subscription);
      expect({ status: r.status, field }).toEqual({ status, field });
      expect(JSON.stringify(r.body)).toContain(field);
    }
    const nul = await subscribe("bad\u0000id", good);
    expect(nul.status).toBe(400);
    expect(JSON.stringify(nul.body)).toContain("userId");
    const huge = await subscribe("hostile", { ...good, pad: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    const anonymous = await fetch(`${h.app.url}/v1/push/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "hostile", subscription: good }),
    });
    expect(anonymous.status).toBe(401);
    expect(await subscriptionsOf("hostile")).toHaveLength(0);
  });
});
