import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { twilioSignature } from "../../../server/delivery/signatures.ts";
import { markSent } from "../../../server/delivery/sql/outcome.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import { type FakeTwilio, startFakeTwilio } from "../../helpers/fake-twilio.ts";
import {
  type DeliveryFixture,
  events,
  insertContact,
  insertMessage,
  message,
  nextPhone,
  openDeliveryFixture,
  type RoutesServer,
  startRoutes,
} from "./fixtures.ts";

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

describe.each(databaseKinds)("Twilio status callbacks and inbound SMS on %s", (kind) => {
  let f: DeliveryFixture;
  let fake: FakeTwilio;
  let routes: RoutesServer;
  let statusUrl: string;
  let inboundUrl: string;

  beforeAll(async () => {
    f = await openDeliveryFixture(kind);
    fake = await startFakeTwilio();
    routes = await startRoutes(f, fake);
    statusUrl = `${routes.url}/v1/providers/twilio/status`;
    inboundUrl = `${routes.url}/v1/providers/twilio/inbound`;
  });
  afterAll(async () => {
    await routes?.close();
    await fake?.close();
    await f?.db.close();
  });

  async function suppressions(contactId: number) {
    return (await f.knex("suppressions").where({ contact_id: contactId }).orderBy("id")) as {
      channel: string;
      category: string;
      reason: string;
      source: string;
      detail: string | null;
      revoked_at: Date | null;
    }[];
  }

  it("rejects status callbacks and inbound messages with a wrong or missing signature (403), recording nothing", async () => {
    const contact = await insertContact(f);
    const msg = await insertMessage(f, contact.id, { status: "sent" });
    const status = { MessageSid: "SMforged", MessageStatus: "delivered" };
    const url = `${statusUrl}?m=${msg.id}`;
    const wrong = await fake.postSigned(url, status, "bm90IGEgc2lnbmF0dXJl");
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: "invalid_signature" } });
    const missing = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(status).toString(),
    });
    expect(missing.status).toBe(403);
    // Signed for another URL (a different message id): the query is part of what is signed.
    const replayed = await fake.postSigned(
      url,
      status,
      twilioSignature(fake.authToken, `${statusUrl}?m=${msg.id + 1}`, status),
    );
    expect(replayed.status).toBe(403);
    expect((await message(f, msg.id)).status).toBe("sent");

    const inbound = await fake.postSigned(
      inboundUrl,
      { MessageSid: "SMx", From: contact.phone, Body: "STOP" },
      "bm90IGEgc2lnbmF0dXJl",
    );
    expect(inbound.status).toBe(403);
    expect(await suppressions(contact.id)).toEqual([]);
    expect(await events(f, contact.id)).toEqual([]);
  });

  it("accepts a callback that overtakes the API answer: it names the message in its URL, and the worker's late 'sent' is dropped", async () => {
    const contact = await insertContact(f);
    const msg = await insertMessage(f, contact.id);
    await f
      .knex("messages")
      .where({ id: msg.id })
      .update({
        status: "sending",
        locked_by: "w9",
        locked_until: new Date(Date.now() + 60_000),
        attempts: 1,
      });
    const res = await fake.postSigned(`${statusUrl}?m=${msg.id}`, {
      MessageSid: "SMearly",
      MessageStatus: "delivered",
    });
    expect(res.status).toBe(204);
    expect(await message(f, msg.id)).toMatchObject({
      status: "delivered",
      provider_message_id: "SMearly",
      locked_by: null,
    });
    const applied = await markSent(f.knex, {
      id: msg.id,
      workerId: "w9",
      provider: "twilio",
      providerMessageId: "SMearly",
      now: new Date(),
    });
    expect(applied).toBe(false);
    expect((await message(f, msg.id)).status).toBe("delivered");
    const delivered = await events(f, contact.id, "message.delivered");
    expect(delivered.map((e) => e.properties)).toEqual([
      { nodeId: "send1", journeyId: "j-delivery", messageId: msg.id },
    ]);
  });

  it("records an undelivered report as message.failed with Twilio's error code", async () => {
    const contact = await insertContact(f);
    const msg = await insertMessage(f, contact.id, { status: "sent" });
    await f
      .knex("messages")
      .where({ id: msg.id })
      .update({ provider: "twilio", provider_message_id: "SMlate" });
    // Found by (provider, sid) when the URL carries no message id.
    const res = await fake.postSigned(statusUrl, {
      MessageSid: "SMlate",
      MessageStatus: "undelivered",
      ErrorCode: "30003",
    });
    expect(res.status).toBe(204);
    expect(await message(f, msg.id)).toMatchObject({
      status: "undelivered",
      last_error: "Twilio error 30003",
    });
    expect((await events(f, contact.id, "message.failed")).map((e) => e.message_id)).toEqual([
      `failed:${msg.id}`,
    ]);
  });

  it.each([
    ["STOP", "STOP"],
    ["full-width ｓｔｏｐ", "ｓｔｏｐ"],
    ["退订", "退订"],
  ])(
    "opts out on %s: suppression row, queued promotional canceled, transactional kept",
    async (_name, body) => {
      const contact = await insertContact(f);
      const promo = await insertMessage(f, contact.id, { category: "promotional" });
      const receipt = await insertMessage(f, contact.id, { category: "transactional" });
      const sid = `SMin${Math.random().toString(36).slice(2)}`;
      const res = await fake.sendInbound(inboundUrl, { from: contact.phone, body, sid });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/xml/);
      expect(await res.text()).toBe(EMPTY_TWIML);

      expect(await suppressions(contact.id)).toEqual([
        expect.objectContaining({
          channel: "sms",
          category: "*",
          reason: "keyword",
          source: `sms:inbound:${sid}`,
          detail: body,
          revoked_at: null,
        }),
      ]);
      expect((await message(f, promo.id)).status).toBe("canceled");
      expect((await message(f, receipt.id)).status).toBe("queued");
      const replied = await events(f, contact.id, "message.replied");
      expect(replied).toEqual([
        {
          name: "message.replied",
          message_id: `sms:inbound:${sid}`,
          properties: { body, messageSid: sid, channel: "sms" },
        },
      ]);

      // Twilio retries a webhook it thinks failed: the same sid changes nothing.
      await fake.sendInbound(inboundUrl, { from: contact.phone, body, sid });
      expect(await suppressions(contact.id)).toHaveLength(1);
      expect(await events(f, contact.id, "message.replied")).toHaveLength(1);
    },
  );

  it("records an ordinary reply without opting out, and START revokes the contact's own SMS opt-out", async () => {
    const contact = await insertContact(f);
    const promo = await insertMessage(f, contact.id);
    await fake.sendInbound(inboundUrl, {
      from: contact.phone,
      body: "stop sending me coupons please",
    });
    expect(await suppressions(contact.id)).toEqual([]);
    expect((await message(f, promo.id)).status).toBe("queued");

    await fake.sendInbound(inboundUrl, { from: contact.phone, body: "T" });
    expect((await suppressions(contact.id)).map((s) => s.revoked_at)).toEqual([null]);
    await f.knex("suppressions").insert({
      contact_id: contact.id,
      channel: "sms",
      category: "promotional",
      reason: "manual",
      source: "operator:1",
    });
    await fake.sendInbound(inboundUrl, { from: contact.phone, body: "start" });
    const after = await suppressions(contact.id);
    expect(after.map((s) => [s.reason, s.revoked_at !== null])).toEqual([
      ["keyword", true],
      ["manual", false],
    ]);
    expect(await events(f, contact.id, "message.replied")).toHaveLength(3);
  });

  it("answers an unknown number with empty TwiML, records nothing and logs without the number", async () => {
    const stranger = nextPhone();
    const before = (await f.knex("events").count("id as n")) as { n: string }[];
    const res = await fake.sendInbound(inboundUrl, {
      from: stranger,
      body: "STOP",
      sid: "SMstranger",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(EMPTY_TWIML);
    const after = (await f.knex("events").count("id as n")) as { n: string }[];
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n));
    const line = f.logLines.find((l) => l.includes("SMstranger"));
    expect(line).toContain("no contact has");
    expect(f.logLines.join("\n")).not.toContain(stranger.slice(2));
  });
});
