import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../server/auth/passwords.ts";
import { EXAMPLES_DIR } from "../../server/seed/demo.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";
import { cartReminder } from "../helpers/journeys.ts";
import { runCli, tempDir } from "../helpers/server-process.ts";

describe.each(databaseKinds)("the REST API on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const clock = manualClock("2026-03-02T02:00:00Z");
  let admin: Record<string, string>;
  const call = (method: string, path: string, body?: unknown, headers = admin) =>
    app.call(method, path, body, headers);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, clock);
    admin = { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" };
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("export → import → export is byte-identical for every example journey", async () => {
    const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const original = readFileSync(join(EXAMPLES_DIR, file), "utf8");
      const doc = JSON.parse(original) as { id: string };
      const imported = await call("POST", "/api/journeys/import", doc);
      expect([file, imported.status]).toEqual([file, 201]);
      const first = await call("GET", `/api/journeys/${doc.id}/export`);
      expect(first.status).toBe(200);
      const again = await call(
        "POST",
        "/api/journeys/import?mode=replace_draft",
        JSON.parse(first.text),
      );
      expect(again.status).toBe(200);
      const second = await call("GET", `/api/journeys/${doc.id}/export`);
      expect(second.text).toBe(first.text);
      // The examples are stored canonically, so the export is the file itself.
      expect([file, first.text]).toEqual([file, original]);
    }
  });

  it("refuses an invalid import with 422 and the issues list, writing nothing", async () => {
    const bad = {
      ...cartReminder("bad-one"),
      nodes: [{ id: "start", type: "trigger", trigger: { kind: "event" } }],
    };
    const r = await call("POST", "/api/journeys/import", bad);
    expect(r.status).toBe(422);
    const issues = (r.body.error as { details: { path: (string | number)[]; nodeId?: string }[] })
      .details;
    expect(issues[0]).toMatchObject({ path: ["nodes", 0, "trigger", "event"], nodeId: "start" });
    expect((await call("GET", "/api/journeys/bad-one")).status).toBe(404);
  });

  it("simulates with the same contract as the CLI", async () => {
    const journey = cartReminder("sim-test");
    const contact = {
      id: "c1",
      timezone: "Asia/Shanghai",
      attributes: { firstName: "Li" },
      consent: { sms: { promotional: true } },
    };
    const events = [
      { at: "2026-03-02T02:00:00Z", name: "cart_abandoned" },
      { at: "2026-03-02T03:30:00Z", name: "message.clicked", properties: { nodeId: "sms1" } },
    ];
    const api = await call("POST", "/api/simulate", {
      journey,
      contact,
      events,
      until: "2026-03-10T00:00:00Z",
    });
    expect(api.status).toBe(200);
    const dir = tempDir();
    writeFileSync(join(dir, "j.json"), JSON.stringify(journey));
    writeFileSync(join(dir, "c.json"), JSON.stringify(contact));
    writeFileSync(join(dir, "e.json"), JSON.stringify(events));
    const cli = await runCli(
      [
        "simulate",
        join(dir, "j.json"),
        "--contact",
        join(dir, "c.json"),
        "--events",
        join(dir, "e.json"),
        "--until",
        "2026-03-10T00:00:00Z",
        "--json",
      ],
      // The links the server mints are on the address it was reached at.
      { WAYMARK_PUBLIC_URL: app.url },
    );
    expect(cli.code).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as { timeline: unknown[]; final: unknown };
    expect(api.body.timeline).toEqual(fromCli.timeline);
    expect(api.body.final).toEqual(fromCli.final);
    expect((api.body.timeline as { type: string }[]).map((t) => t.type)).toContain("sent");
    const missing = await call("POST", "/api/simulate", { contact, events });
    expect(missing.status).toBe(400);
    expect((missing.body.error as { message: string }).message).toMatch(/^journey:/);
  });

  it("edits the sending policy: bad values are refused by field, good ones apply to the next ticks", async () => {
    const current = (await call("GET", "/api/settings")).body.policy as Record<string, unknown>;
    expect(current.quietHours).toEqual({ start: "08:00", end: "21:00" });
    const bad = await call("PUT", "/api/settings", {
      policy: {
        ...current,
        quietHours: { start: "8am", end: "21:00" },
        workspaceTimezone: "Mars/Base",
      },
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error as { details: { path: string }[] }).details
      .map((d) => d.path)
      .sort();
    expect(paths).toEqual(["policy.quietHours.start", "policy.workspaceTimezone"]);
    const good = await call("PUT", "/api/settings", {
      policy: { ...current, quietHours: { start: "09:00", end: "20:00" } },
    });
    expect(good.status).toBe(200);
    expect(
      ((await call("GET", "/api/settings")).body.policy as { quietHours: unknown }).quietHours,
    ).toEqual({ start: "09:00", end: "20:00" });
  });

  it("manages keys and operators, and lets an operator change their password", async () => {
    const key = await call("POST", "/api/keys", { kind: "write", name: "shop backend" });
    expect(key.status).toBe(201);
    const listed = (await call("GET", "/api/keys")).body.keys as {
      id: number;
      name: string;
      prefix: string;
    }[];
    const mine = listed.find((k) => k.id === key.body.id);
    expect(mine?.prefix).toBe(String(key.body.key).slice(0, 7));
    expect(JSON.stringify(listed)).not.toContain(String(key.body.key));
    expect((await call("DELETE", `/api/keys/${key.body.id}`)).status).toBe(200);
    const track = await fetch(`${app.url}/v1/track`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${key.body.key}:`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ userId: "x", event: "e" }),
    });
    expect(track.status).toBe(401);

    const op = await call("POST", "/api/operators", { email: "Sam@Example.com", role: "support" });
    expect(op.status).toBe(201);
    expect(
      (await call("POST", "/api/operators", { email: "sam@example.com", role: "support" })).status,
    ).toBe(409);
    const login = await fetch(`${app.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "sam@example.com", password: op.body.password }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const session = { cookie, "content-type": "application/json" };
    expect(
      (
        await call(
          "PUT",
          "/api/me/password",
          { current: "wrong", next: "a much longer password" },
          session,
        )
      ).status,
    ).toBe(403);
    expect(
      (await call("PUT", "/api/me/password", { current: op.body.password, next: "short" }, session))
        .status,
    ).toBe(400);
    expect(
      (
        await call(
          "PUT",
          "/api/me/password",
          { current: op.body.password, next: "a much longer password" },
          session,
        )
      ).status,
    ).toBe(200);
    expect((await call("GET", "/api/me", undefined, session)).body.operator).toMatchObject({
      role: "support",
      mustChangePassword: false,
    });
    // Support sees phone numbers masked.
    await app.ingest("/v1/identify", {
      userId: "masked-1",
      traits: { phone: "+8613812345678", email: "li@example.com" },
    });
    const seen = (await call("GET", "/api/contacts/masked-1", undefined, session)).body.contact as {
      phone: string;
      email: string;
    };
    expect(seen).toMatchObject({ phone: "138****5678", email: "l***@example.com" });
    const full = (await call("GET", "/api/contacts/masked-1")).body.contact as { phone: string };
    expect(full.phone).toBe("+8613812345678");
    await db
      .knex("operators")
      .insert({ email: "x@example.com", role: "marketer", password_hash: await hashPassword("x") });
  });

  it("previews a send node, test-sends only to the test list, and diffs versions", async () => {
    const journey = { ...cartReminder("tools"), settings: { testList: ["tester-1"] } };
    expect((await call("POST", "/api/journeys", journey)).status).toBe(201);
    const preview = await call("POST", "/api/journeys/tools/preview", {
      nodeId: "sms1",
      contact: { attributes: { firstName: "小明" }, locale: "zh-CN" },
    });
    expect(preview.status).toBe(200);
    // Over 70 UCS-2 characters with the server's tracked link: two parts of 67.
    expect(preview.body).toMatchObject({
      encoding: "UCS-2",
      parts: 2,
      perPart: 67,
      optOutLine: "回TD退订",
    });
    expect(String(preview.body.text)).toMatch(
      /^Hi 小明, your cart is waiting: http:\/\/127\.0\.0\.1:\d+\/l\/[\w-]{22} 回TD退订$/,
    );
    expect((await call("POST", "/api/journeys/tools/preview", { nodeId: "wait1" })).status).toBe(
      400,
    );

    await app.ingest("/v1/identify", {
      userId: "tester-1",
      traits: { firstName: "Tess", phone: "+12025550188" },
    });
    await app.ingest("/v1/identify", {
      userId: "real-customer",
      traits: { firstName: "Rae", phone: "+12025550199" },
    });
    const refused = await call("POST", "/api/journeys/tools/test-send", {
      nodeId: "sms1",
      contactId: "real-customer",
    });
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe("not_on_test_list");
    const sent = await call("POST", "/api/journeys/tools/test-send", {
      nodeId: "sms1",
      contactId: "tester-1",
    });
    expect(sent.status).toBe(201);
    expect(String(sent.body.text)).toMatch(
      /^\[TEST\] Hi Tess, your cart is waiting: http:\/\/127\.0\.0\.1:\d+\/l\/[\w-]{22}\nReply STOP to opt out$/,
    );
    // The link is real: minted as the ticker mints it, stored with the message, and it resolves.
    const token = /\/l\/([\w-]{22})/.exec(String(sent.body.text))?.[1] ?? "";
    const link = (await db.knex("link_tokens").where({ token }).first("url", "message_id")) as {
      url: string;
      message_id: string | number;
    };
    expect([link.url, Number(link.message_id)]).toEqual([
      "https://shop.example/cart",
      sent.body.messageId,
    ]);
    const outcome = await call(
      "GET",
      `/api/journeys/tools/test-send/${String(sent.body.messageId)}`,
    );
    expect(outcome.body).toMatchObject({ status: "queued", attempts: 0 });
    expect((await call("GET", "/api/journeys/tools/test-send/abc")).status).toBe(400);
    expect((await call("GET", "/api/journeys/tools/test-list")).body).toEqual({
      listed: ["tester-1"],
      contacts: [{ id: expect.any(Number), externalId: "tester-1" }],
    });
    const outbox = (await db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where("m.journey_id", "tools")
      .select("c.external_id", "m.is_test")) as { external_id: string; is_test: boolean }[];
    expect(outbox).toEqual([{ external_id: "tester-1", is_test: true }]);

    expect((await call("POST", "/api/journeys/tools/publish")).status).toBe(200);
    const changed = {
      ...journey,
      nodes: journey.nodes.map((n) =>
        n.id === "wait1" ? { ...n, wait: { kind: "duration", duration: "PT2H" } } : n,
      ),
    };
    await call("PUT", "/api/journeys/tools", changed);
    const diff = await call("GET", "/api/journeys/tools/diff?from=1&to=draft");
    expect(diff.body).toMatchObject({
      nodes: [{ nodeId: "wait1", change: "changed" }],
      edges: { added: [], removed: [] },
      journey: [],
    });
    expect((await call("GET", "/api/journeys/tools/diff?from=1&to=9")).status).toBe(404);
    expect((await call("GET", "/api/journeys/tools/diff?from=x&to=draft")).status).toBe(400);
  });

  it("serves an OpenAPI document listing every route", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/journeys",
        "/api/journeys/{id}/publish",
        "/api/contacts/{id}/journeys",
        "/v1/track",
        "/api/simulate",
      ]),
    );
    expect(doc.paths["/api/journeys"]?.post?.requestBody).toBeDefined();
  });
});
