import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviders } from "../../../server/delivery/providers/index.ts";
import { verifyWebhookSignature } from "../../../server/delivery/signatures.ts";
import { databaseKinds } from "../../helpers/databases.ts";
import { channelHarness, silent } from "./channel-harness.ts";

/**
 * Issue 19, webhook sends with their own request: a published journey's send goes to a real
 * HTTP server started here with its method, URL, headers and JSON body, signed; a 500 is
 * retried and the request delivered once; a 400 fails it; a send without request fields still
 * posts our envelope to WAYMARK_WEBHOOK_URL; link-local and unlisted private destinations are
 * refused; hostile URLs and headers are validation issues over the API.
 */

const SECRET = "webhook-secret-0123456789";
const HOSTILE = 'O"Brien"}, "admin": true, "x": {"';

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };

async function startReceiver() {
  const seen: Seen[] = [];
  /** Statuses to answer with before the default 200, in order; 0 never answers (a timeout). */
  const plan: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      // A lookup that claims every key: one asked about a send's own request would lie.
      if (req.url === "/lookup") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"accepted": true, "id": "from-lookup"}');
        return;
      }
      const status = plan.shift() ?? 200;
      if (status === 0) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? JSON.stringify({ id: `r${seen.length}` }) : '{"error":"no"}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    seen,
    plan,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

const journeyTo = (id: string, event: string, send: Record<string, unknown>) => ({
  format: "waymark/journey@1",
  id,
  name: id,
  settings: { testList: ["tess"] },
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "event", event } },
    { id: "w1", type: "send", send: { channel: "webhook", category: "transactional", ...send } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "w1" },
    { from: "w1", to: "done" },
  ],
});

/**
 * One receiver for both databases: compiled journeys are cached per process by version, so the
 * second database's "crm-sync" v1 must name the same URL as the first's.
 */
let hook: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  hook = await startReceiver();
});
afterAll(async () => {
  await hook?.close();
});

describe.each(databaseKinds)("webhook sends with their own request on %s", (kind) => {
  const h = channelHarness(kind, {
    workerId: "webhook-test",
    env: () => {
      // Each database's run starts with an empty receiver.
      hook.seen.length = 0;
      hook.plan.length = 0;
      return {
        WAYMARK_WEBHOOK_URL: `${hook.base}/envelope`,
        WAYMARK_WEBHOOK_SECRET: SECRET,
        WAYMARK_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
        WAYMARK_DELIVERY_TIMEOUT_MS: "500",
        WAYMARK_WEBHOOK_LOOKUP_URL: `${hook.base}/lookup`,
      };
    },
    providers: (config) => createProviders(config, silent),
    journeys: () => [
      journeyTo("crm-sync", "order_paid", {
        template: "order {{ event.order }}",
        webhook: {
          method: "PUT",
          url: `${hook.base}/people/{{ user.id }}?plan={{ user.plan }}`,
          headers: { "X-Tenant": "shop-{{ user.plan }}", Authorization: "Bearer t0k" },
          body: {
            name: "{{ user.lastName }}",
            order: "{{ event.order }}",
            tags: ["vip"],
            n: 2,
            link: "{{ 'https://shop.example/o' | track }}",
          },
        },
      }),
      journeyTo("legacy", "legacy_ping", { template: "ping {{ user.id }}" }),
      journeyTo("metadata", "steal", {
        template: "x",
        webhook: { method: "GET", url: "http://169.254.169.254/latest/meta-data/" },
      }),
      journeyTo("unlisted", "loopback", {
        template: "x",
        webhook: { method: "POST", url: `http://localhost:${hook.port}/admin`, body: {} },
      }),
    ],
  });
  const { clock, enter, messageOf } = h;

  const to = (path: string) => hook.seen.filter((s) => s.url.startsWith(path));
  const signed = (s: Seen) => {
    const h = s.headers["x-waymark-signature"];
    return verifyWebhookSignature(
      SECRET,
      typeof h === "string" ? h : undefined,
      s.body,
      Date.now() / 1000,
    );
  };

  it("delivers to the node's URL with its method, headers and a JSON body a contact's quotes cannot break, signed", async () => {
    await enter("ann", "order_paid", { lastName: HOSTILE, plan: "gold & co" });
    const queued = await messageOf("ann");
    expect(queued?.status).toBe("queued");
    expect(queued?.payload).toMatchObject({ method: "PUT" });
    await h.worker.drainOnce();
    const [req, ...more] = to("/people/");
    expect(more).toEqual([]);
    if (!req) throw new Error("the receiver got nothing");
    expect(req.method).toBe("PUT");
    expect(req.url).toBe("/people/ann?plan=gold%20%26%20co");
    expect(req.headers["x-tenant"]).toBe("shop-gold & co");
    expect(req.headers.authorization).toBe("Bearer t0k");
    expect(req.headers["content-type"]).toBe("application/json");
    const row = await messageOf("ann");
    expect(req.headers["idempotency-key"]).toBe(row?.provider_key);
    expect(signed(req)).toBe(true);
    const sent = JSON.parse(req.body) as Record<string, unknown>;
    expect(sent).toEqual({ name: HOSTILE, order: "A-7", tags: ["vip"], n: 2, link: sent.link });
    expect(row).toMatchObject({ status: "sent", attempts: 1, provider_message_id: "r1" });
    // The body's tracked link is a token stored with the message, so it resolves when followed.
    const tokens = await h.db
      .knex("link_tokens as l")
      .join("messages as m", "m.id", "l.message_id")
      .where({ "m.provider_key": row?.provider_key })
      .select("l.token", "l.url");
    expect(tokens.map((t) => t.url)).toEqual(["https://shop.example/o"]);
    expect(sent.link).toBe(`${h.app.url}/l/${tokens[0]?.token}`);
    // A signature over another body does not verify: the check above can fail.
    expect(signed({ ...req, body: req.body.replace("A-7", "A-8") })).toBe(false);
  });

  it("a 500 is retried and the request then delivered once, with the same idempotency key", async () => {
    hook.plan.push(500);
    await enter("bob", "order_paid", { lastName: "Bo", plan: "free" });
    await h.worker.drainOnce();
    expect(await messageOf("bob")).toMatchObject({ status: "queued", attempts: 1 });
    clock.advance(60_000);
    await h.worker.drainOnce();
    await h.worker.drainOnce();
    const calls = to("/people/bob");
    expect(calls).toHaveLength(2);
    expect(calls[0]?.headers["idempotency-key"]).toBe(calls[1]?.headers["idempotency-key"]);
    expect(await messageOf("bob")).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a timeout leaves the outcome unknown; the envelope's lookup is not asked, the resend carries the same key and the message is sent once", async () => {
    hook.plan.push(0);
    await enter("gus", "order_paid", { lastName: "Gus", plan: "free" });
    await h.worker.drainOnce();
    const unknown = (await h.db
      .knex("messages as m")
      .join("contacts as c", "c.id", "m.contact_id")
      .where({ "c.external_id": "gus" })
      .first("m.status", "m.outcome_unknown_since")) as
      | { status: string; outcome_unknown_since: Date | null }
      | undefined;
    expect(unknown?.status).toBe("queued");
    expect(unknown?.outcome_unknown_since).not.toBeNull();
    expect((await messageOf("gus"))?.last_error).toContain("timed out");
    clock.advance(60_000);
    await h.worker.drainOnce();
    await h.worker.drainOnce();
    const calls = to("/people/gus");
    expect(to("/lookup")).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.headers["idempotency-key"]).toBe(calls[1]?.headers["idempotency-key"]);
    expect(await messageOf("gus")).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a 400 fails the message for good", async () => {
    hook.plan.push(400);
    await enter("cat", "order_paid", { lastName: "Cat", plan: "free" });
    await h.worker.drainOnce();
    clock.advance(3_600_000);
    await h.worker.drainOnce();
    expect(to("/people/cat")).toHaveLength(1);
    const row = await messageOf("cat");
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row?.last_error).toContain("HTTP 400");
  });

  it("a webhook send without request fields posts our envelope to WAYMARK_WEBHOOK_URL as before", async () => {
    await enter("dan", "legacy_ping");
    await h.worker.drainOnce();
    const [req, ...more] = to("/envelope");
    expect(more).toEqual([]);
    expect(req?.method).toBe("POST");
    expect(JSON.parse(req?.body ?? "")).toMatchObject({
      channel: "webhook",
      to: "dan",
      body: "ping dan",
    });
    expect(req && signed(req)).toBe(true);
    expect(await messageOf("dan")).toMatchObject({ status: "sent", payload: null });
  });

  it("refuses the metadata service and a private host not in WAYMARK_WEBHOOK_ALLOW_HOSTS, without calling them", async () => {
    const before = hook.seen.length;
    await enter("eve", "steal");
    await enter("fay", "loopback");
    await h.worker.drainOnce();
    const eve = await messageOf("eve");
    expect(eve).toMatchObject({ status: "failed" });
    expect(eve?.last_error).toContain("link-local");
    const fay = await messageOf("fay");
    expect(fay).toMatchObject({ status: "failed" });
    expect(fay?.last_error).toContain("WAYMARK_WEBHOOK_ALLOW_HOSTS");
    expect(hook.seen.length).toBe(before);
  });

  it("a test send goes to the node's URL too, marked by X-Waymark-Test", async () => {
    await h.app.ingest("/v1/identify", {
      userId: "tess",
      traits: { lastName: "Test", plan: "trial" },
    });
    const res = await fetch(`${h.app.url}/api/journeys/crm-sync/test-send`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.app.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ nodeId: "w1", contactId: "tess" }),
    });
    expect(res.status).toBe(201);
    await h.worker.drainOnce();
    const [req, ...more] = to("/people/tess");
    expect(more).toEqual([]);
    expect(req?.method).toBe("PUT");
    expect(req?.url).toBe("/people/tess?plan=trial");
    expect(req?.headers["x-waymark-test"]).toBe("1");
    expect(JSON.parse(req?.body ?? "")).toMatchObject({
      name: "Test",
      order: "",
      tags: ["vip"],
      n: 2,
    });
    expect(req && signed(req)).toBe(true);
  });

  it("hostile URLs and headers are validation issues naming the field, and block publishing", async () => {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${h.app.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${h.app.secretKey}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const hostile = journeyTo("hostile", "x", {
      template: "x",
      webhook: {
        method: "POST",
        url: "http://{{ user.host }}/steal",
        headers: { Host: "internal", "X-Ok": "a\r\nX-Evil: 1", "Transfer-Encoding": "chunked" },
      },
    });
    expect((await api("POST", "/api/journeys", hostile)).status).toBeLessThan(300);
    const got = await api("GET", "/api/journeys/hostile");
    const issues = (got.body.issues as { code: string; path: (string | number)[] }[]).map((i) => [
      i.code,
      i.path.slice(-2).join("."),
    ]);
    expect(issues).toEqual([
      ["webhook_url_invalid", "webhook.url"],
      ["webhook_header_refused", "headers.Host"],
      ["webhook_header_refused", "headers.X-Ok"],
      ["webhook_header_refused", "headers.Transfer-Encoding"],
    ]);
    const publish = await api("POST", "/api/journeys/hostile/publish", {});
    expect(publish.status).toBe(422);
  });
});
