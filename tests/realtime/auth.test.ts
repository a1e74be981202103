import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../server/auth/passwords.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { createApiKey } from "../../server/keys/api-keys.ts";
import { manualClock } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import {
  type Client,
  closeClients,
  connect,
  eventually,
  record,
  signIn,
  subscribe,
} from "./clients.ts";
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
    // Support sees masked data, so it follows the contact's masked room.
    expect(await subscribe(socket, { contact: Number(contact?.id) })).toEqual({
      ok: true,
      room: `contact:${Number(contact?.id)}:masked`,
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

/**
 * Issue 14, items 8 and 12: open sockets survived logout, operator disable and password change
 * and kept receiving timeline pushes. Sockets now end with their credentials: announced by the
 * route that ends them, re-checked on every subscribe, and swept every `credentialCheckMs`.
 */
describe.each(databaseKinds)("sockets end with their credentials on %s", (kind) => {
  let db: TestDatabase;
  let server: RealtimeApp;
  let url: string;
  let admin: string;
  const clock = manualClock("2026-03-02T02:00:00Z");

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // No periodic sweep here: what ends these sockets is the announcement or the subscribe.
    server = await startRealtimeApp(db, clock, { credentialCheckMs: 0 });
    url = server.app.url;
    admin = await signIn(db.knex, url, "admin");
    await createJourney(db.knex, cartReminder(), null);
    await publishJourney(db.knex, "cart-test", null);
  });
  afterAll(async () => {
    closeClients();
    await server?.close();
    await db?.close();
  });

  /** Resolves with the reason the socket was disconnected. */
  const ended = (socket: Client) =>
    new Promise<string>((done) => socket.once("disconnect", (reason) => done(reason)));
  const operatorId = async (cookie: string) =>
    Number(
      (
        (await (await fetch(`${url}/api/me`, { headers: { cookie } })).json()) as {
          operator: { id: number };
        }
      ).operator.id,
    );
  const identify = async (userId: string) => {
    await server.app.ingest("/v1/identify", {
      userId,
      traits: { firstName: "Li", phone: "+8613812345678", timezone: "Asia/Shanghai" },
      consent: { sms: { promotional: true } },
    });
    return Number((await db.knex("contacts").where({ external_id: userId }).first("id")).id);
  };

  it("logout disconnects the socket, and its timeline pushes stop", async () => {
    const cookie = await signIn(db.knex, url, "support");
    const contact = await identify("logout-1");
    const socket = await connect(url, { extraHeaders: { cookie } });
    const timeline = record(socket, "timeline");
    expect(await subscribe(socket, { contact })).toMatchObject({ ok: true });
    await server.app.ingest("/v1/track", { userId: "logout-1", event: "cart_abandoned" });
    await server.tick();
    await eventually(() => expect(timeline.length).toBeGreaterThanOrEqual(2));
    const seen = timeline.length;

    const reason = ended(socket);
    const out = await fetch(`${url}/api/session`, { method: "DELETE", headers: { cookie } });
    expect(out.status).toBe(204);
    expect(await reason).toBe("io server disconnect");
    // The contact moves on (the wait ends, the SMS goes out): nothing reaches the old socket.
    clock.advance(3_600_000);
    await server.tick();
    await new Promise((done) => setTimeout(done, 500));
    expect(timeline.length).toBe(seen);
    await expect(connect(url, { extraHeaders: { cookie } })).rejects.toThrow("unauthenticated");
  });

  it("disabling an operator disconnects their sockets", async () => {
    const cookie = await signIn(db.knex, url, "marketer");
    const socket = await connect(url, { extraHeaders: { cookie } });
    expect(await subscribe(socket, { journey: "cart-test" })).toMatchObject({ ok: true });
    const reason = ended(socket);
    const id = await operatorId(cookie);
    const res = await fetch(`${url}/api/operators/${id}`, {
      method: "DELETE",
      headers: { cookie: admin },
    });
    expect(res.status).toBe(200);
    expect(await reason).toBe("io server disconnect");
  });

  it("a password change ends the operator's other sessions and their sockets, not this one", async () => {
    const email = `pw-${Math.random().toString(36).slice(2)}@example.test`;
    await db.knex("operators").insert({
      email,
      role: "support",
      password_hash: await hashPassword("correct horse battery staple"),
    });
    const logIn = async () => {
      const res = await fetch(`${url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "correct horse battery staple" }),
      });
      return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    };
    const here = await logIn();
    const elsewhere = await logIn();
    const mine = await connect(url, { extraHeaders: { cookie: here } });
    const theirs = await connect(url, { extraHeaders: { cookie: elsewhere } });
    const reason = ended(theirs);
    const change = await fetch(`${url}/api/me/password`, {
      method: "PUT",
      headers: { cookie: here, "content-type": "application/json" },
      body: JSON.stringify({
        current: "correct horse battery staple",
        next: "a brand new passphrase",
      }),
    });
    expect(await change.json()).toEqual({ changed: true, sessionsEnded: 1 });
    expect(await reason).toBe("io server disconnect");
    const status = async (cookie: string) =>
      (await fetch(`${url}/api/journeys`, { headers: { cookie } })).status;
    expect(await status(elsewhere)).toBe(401);
    expect(await status(here)).toBe(200);
    expect(mine.connected).toBe(true);
    expect(await subscribe(mine, { journey: "cart-test" })).toMatchObject({ ok: true });
  });

  it("revoking a key disconnects the sockets it opened", async () => {
    const { id, key } = await createApiKey(db.knex, "secret", "revoked on air", null);
    const socket = await connect(url, { auth: { token: key } });
    const reason = ended(socket);
    const res = await fetch(`${url}/api/keys/${id}`, {
      method: "DELETE",
      headers: { cookie: admin },
    });
    expect(res.status).toBe(200);
    expect(await reason).toBe("io server disconnect");
  });

  it("re-checks the session on subscribe: an ended session gets no room and is disconnected", async () => {
    const cookie = await signIn(db.knex, url, "support");
    const socket = await connect(url, { extraHeaders: { cookie } });
    // Ended behind the server's back: no route announced it.
    await db
      .knex("sessions")
      .where({ operator_id: await operatorId(cookie) })
      .delete();
    const reason = ended(socket);
    expect(await subscribe(socket, { journey: "cart-test" })).toMatchObject({
      ok: false,
      error: { code: "unauthenticated" },
    });
    expect(await reason).toBe("io server disconnect");
  });

  it("sweeps sockets whose operator was disabled outside the API (the CLI, SQL)", async () => {
    const sweeping = await startRealtimeApp(db, clock, { credentialCheckMs: 200 });
    try {
      const cookie = await signIn(db.knex, sweeping.app.url, "engineer");
      const socket = await connect(sweeping.app.url, { extraHeaders: { cookie } });
      const reason = ended(socket);
      await db
        .knex("operators")
        .where({ id: await operatorId(cookie) })
        .update({ disabled_at: new Date() });
      expect(await reason).toBe("io server disconnect");
    } finally {
      await sweeping.close();
    }
  });

  it("refuses metrics keys, one-time-password sessions and handshakes from another origin", async () => {
    const creator = await db.knex("operators").first("id");
    const { key } = await createApiKey(db.knex, "secret", "scraper", Number(creator.id), "metrics");
    await expect(connect(url, { auth: { token: key } })).rejects.toThrow("forbidden");

    const email = `otp-${Math.random().toString(36).slice(2)}@example.test`;
    await db.knex("operators").insert({
      email,
      role: "admin",
      password_hash: await hashPassword("correct horse battery staple"),
      must_change_password: true,
    });
    const res = await fetch(`${url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery staple" }),
    });
    const otp = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await expect(connect(url, { extraHeaders: { cookie: otp } })).rejects.toThrow(
      "password_change_required",
    );

    const cookie = await signIn(db.knex, url, "support");
    const port = new URL(url).port;
    await expect(
      connect(url, { extraHeaders: { cookie, origin: `http://127.0.0.1:${Number(port) + 1}` } }),
    ).rejects.toThrow("forbidden");
    await expect(
      connect(url, { extraHeaders: { cookie, "sec-fetch-site": "same-site" } }),
    ).rejects.toThrow("forbidden");
    // The console's own origin is welcome.
    await expect(
      connect(url, { extraHeaders: { cookie, origin: `http://127.0.0.1:${port}` } }),
    ).resolves.toMatchObject({ connected: true });
  });
});
