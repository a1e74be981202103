import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { manualClock } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { closeClients, connect, signIn, subscribe } from "./clients.ts";
import { type RealtimeApp, startRealtimeApp } from "./harness.ts";

describe.each(databaseKinds)("realtime authentication on %s", (kind) => {
  let db: TestDatabase;
  let server: RealtimeApp;
  let url: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    server = await startRealtimeApp(db, manualClock("2026-03-02T02:00:00Z"));
    url = server.app.url;
  });
  afterAll(async () => {
    closeClients();
    await server?.close();
    await db?.close();
  });

  it("refuses a connection without credentials, with a wrong key, or with a write key", async () => {
    await expect(connect(url)).rejects.toThrow("unauthenticated");
    await expect(connect(url, { auth: { token: "sk_not-a-real-key" } })).rejects.toThrow(
      "unauthenticated",
    );
    await expect(
      connect(url, { extraHeaders: { cookie: "waymark_session=forged" } }),
    ).rejects.toThrow("unauthenticated");
    // A write key may ingest, never read the admin API: the socket follows the REST rule.
    await expect(connect(url, { auth: { token: server.app.writeKey } })).rejects.toThrow(
      "unauthenticated",
    );
  });

  it("accepts the session cookie of a support operator, who may watch a contact", async () => {
    const cookie = await signIn(db.knex, url, "support");
    const socket = await connect(url, { extraHeaders: { cookie } });
    const [contact] = (await db
      .knex("contacts")
      .insert({ external_id: "auth-c1" })
      .returning("id")) as { id: string | number }[];
    expect(await subscribe(socket, { contact: Number(contact?.id) })).toEqual({
      ok: true,
      room: `contact:${Number(contact?.id)}`,
    });
  });

  it("accepts a secret key as auth.token and as an Authorization header", async () => {
    const { key } = await createApiKey(db.knex, "secret", "realtime test", null);
    await expect(connect(url, { auth: { token: key } })).resolves.toMatchObject({
      connected: true,
    });
    await expect(
      connect(url, { extraHeaders: { authorization: `Bearer ${key}` } }),
    ).resolves.toMatchObject({
      connected: true,
    });
    await db
      .knex("api_keys")
      .where({ prefix: key.slice(0, 7) })
      .update({ revoked_at: new Date() });
    await expect(connect(url, { auth: { token: key } })).rejects.toThrow("unauthenticated");
  });

  it("answers malformed and unknown subscriptions with an error, not a room", async () => {
    const { key } = await createApiKey(db.knex, "secret", "realtime test 2", null);
    const socket = await connect(url, { auth: { token: key } });
    for (const bad of [
      null,
      "journey:x",
      {},
      { journey: "" },
      { journey: "a", contact: 1 },
      { contact: -1 },
      { room: "x" },
    ]) {
      expect(await subscribe(socket, bad)).toMatchObject({
        ok: false,
        error: { code: "invalid_subscription" },
      });
    }
    expect(await subscribe(socket, { journey: "no-such-journey" })).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    expect(await subscribe(socket, { contact: 999_999 })).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    expect(socket.connected).toBe(true);
  });
});
