import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { twilioSignature } from "../../server/delivery/signatures.ts";

/**
 * A Twilio-shaped SMS provider on loopback, for tests of delivery and of the whole runtime.
 *
 * It speaks `POST /2010-04-01/Accounts/{sid}/Messages.json` (form-encoded To/From/Body/
 * StatusCallback, Basic auth, `I-Twilio-Idempotency-Token`), answers 201 with `{sid, status}`,
 * and by default deduplicates on the token: the same token gets the same sid and is delivered
 * once. With `dedupe: false` it does not (whether Twilio does is not established, and
 * Aliyun-style providers have no key at all): every accepted request is one more SMS to the
 * person, and `duplicates()` counts them. Every request is recorded, whatever it was answered.
 *
 * It also speaks the list, `GET …/Messages.json?To=…&From=…&PageSize=…` (Twilio's paging:
 * `messages`, `next_page_uri`; newest first), which delivery uses to reconcile a message whose
 * outcome it does not know; tests/runtime/delivery/reconcile.test.ts reads it with the official
 * twilio client to prove the shape.
 *
 * Faults, per request, with a seeded random so runs repeat:
 *  - "500": answered 500 before anything is accepted;
 *  - "429": answered 429 with `Retry-After`, nothing accepted;
 *  - "hang": the message IS accepted, then the answer never comes (the client times out);
 *  - "late": the message is accepted `lateMs` after the request arrived, and answered then (a
 *    client with a shorter timeout has given up: an acceptance it never hears of);
 *  - "drop": the request hangs and nothing is ever accepted (an overloaded provider).
 * "hang" and "late" are the cases that need idempotency or a lookup: a blind resend delivers
 * the message twice. With `faultLists`, list requests draw faults too ("hang", "drop" and
 * "late" all mean a list answer that never comes in time).
 * `rejectTo` numbers get Twilio's 400 / 21211 "invalid To" answer.
 *
 * It can also play Twilio's webhooks: signed status callbacks (to the StatusCallback the message
 * named) and signed inbound messages.
 */

export type FaultKind = "500" | "429" | "hang" | "late" | "drop";

export type RequestOutcome = "accepted" | "duplicate" | "rejected" | "unauthorized" | FaultKind;

export interface FakeTwilioRequest {
  token: string | undefined;
  to: string;
  body: string;
  outcome: RequestOutcome;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface FakeDelivery {
  sid: string;
  token: string | undefined;
  to: string;
  from: string;
  body: string;
  statusCallback: string | undefined;
  createdAt: Date;
  /** performance.now() when it was accepted. */
  at: number;
}

export interface FakeListRequest {
  to: string;
  outcome: "answered" | "unauthorized" | FaultKind;
  at: number;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** Fraction of requests (0-1) answered with a fault. */
  faultRate?: number;
  faultKinds?: FaultKind[];
  retryAfterSeconds?: number;
  rejectTo?: string[];
  seed?: number;
  /** false: every accepted request is a new message, even with a token seen before. */
  dedupe?: boolean;
  /** How late a "late" fault accepts and answers (ms). */
  lateMs?: number;
  /** List requests draw faults too. */
  faultLists?: boolean;
  /** Ms to hold each accepted message's answer, asked per request (a slow provider; 0: none). */
  answerDelayMs?: () => number;
}

export interface FakeTwilio {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  requests: FakeTwilioRequest[];
  /** One entry per accepted message: per token when deduplicating, else per acceptance. */
  deliveries: FakeDelivery[];
  lists: FakeListRequest[];
  /** Messages a person got beyond the first for one token (0 when deduplicating). */
  duplicates(): number;
  /** Change fault injection while running (e.g. stop faults to let retries finish); clears failNext. */
  setFaults(rate: number, kinds?: FaultKind[]): void;
  /** Force the next `n` requests to get `kind`, ahead of the random faults. */
  failNext(n: number, kind: FaultKind): void;
  /** Posts a signed status callback for a delivered message to the URL it named. */
  sendStatus(sid: string, status: string, extra?: Record<string, string>): Promise<Response>;
  /** Posts a signed inbound SMS to `url`. */
  sendInbound(
    url: string,
    message: { from: string; body: string; sid?: string },
  ): Promise<Response>;
  /** Posts form params to `url` signed with the auth token (or with `signature` as given). */
  postSigned(url: string, params: Record<string, string>, signature?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString("hex")}`;
  const authToken = options.authToken ?? randomBytes(16).toString("hex");
  const random = mulberry32(options.seed ?? 1);
  const rejectTo = new Set(options.rejectTo ?? []);
  const dedupe = options.dedupe ?? true;
  const lists: FakeListRequest[] = [];
  const byTo = new Map<string, FakeDelivery[]>();
  let faultRate = options.faultRate ?? 0;
  let faultKinds: FaultKind[] = options.faultKinds ?? ["500", "429", "hang"];
  const forced: FaultKind[] = [];
  const requests: FakeTwilioRequest[] = [];
  const deliveries: FakeDelivery[] = [];
  const byToken = new Map<string, FakeDelivery>();
  const bySid = new Map<string, FakeDelivery>();
  const sockets = new Set<Socket>();
  const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;

  function accept(
    token: string | undefined,
    form: URLSearchParams,
  ): { delivery: FakeDelivery; duplicate: boolean } {
    const existing = token ? byToken.get(token) : undefined;
    if (existing && dedupe) return { delivery: existing, duplicate: true };
    const delivery: FakeDelivery = {
      sid: `SM${randomBytes(16).toString("hex")}`,
      token,
      to: form.get("To") ?? "",
      from: form.get("From") ?? form.get("MessagingServiceSid") ?? "",
      body: form.get("Body") ?? "",
      statusCallback: form.get("StatusCallback") ?? undefined,
      createdAt: new Date(),
      at: performance.now(),
    };
    deliveries.push(delivery);
    bySid.set(delivery.sid, delivery);
    const forTo = byTo.get(delivery.to) ?? [];
    forTo.push(delivery);
    byTo.set(delivery.to, forTo);
    if (token && !existing) byToken.set(token, delivery);
    return { delivery, duplicate: existing !== undefined };
  }

  function drawFault(): FaultKind | undefined {
    return forced.shift() ?? (random() < faultRate ? pick(faultKinds, random) : undefined);
  }

  /** Twilio's list: newest first, paged with PageSize/Page, `next_page_uri` relative. */
  async function list(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const to = url.searchParams.get("To") ?? "";
    const entry: FakeListRequest = { to, outcome: "answered", at: performance.now() };
    lists.push(entry);
    if (req.headers.authorization !== expectedAuth) {
      entry.outcome = "unauthorized";
      return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    }
    const fault = options.faultLists ? drawFault() : undefined;
    if (fault) {
      entry.outcome = fault;
      if (fault === "500" || fault === "429") {
        return json(res, Number(fault), { code: 20500, message: "fault", status: Number(fault) });
      }
      if (fault !== "late") return; // never answered
      await sleep(options.lateMs ?? 1000);
    }
    const from = url.searchParams.get("From");
    const pageSize = Math.min(1000, Math.max(1, Number(url.searchParams.get("PageSize") ?? 50)));
    const page = Math.max(0, Number(url.searchParams.get("Page") ?? 0));
    const all = (byTo.get(to) ?? []).filter((d) => from === null || d.from === from).reverse();
    const slice = all.slice(page * pageSize, (page + 1) * pageSize);
    const query = (p: number) => {
      const q = new URLSearchParams(url.searchParams);
      q.set("Page", String(p));
      q.set("PageSize", String(pageSize));
      return `${path}?${q.toString()}`;
    };
    json(res, 200, {
      messages: slice.map((d) => messageResource(d, accountSid)),
      uri: query(page),
      first_page_uri: query(0),
      previous_page_uri: page > 0 ? query(page - 1) : null,
      next_page_uri: (page + 1) * pageSize < all.length ? query(page + 1) : null,
      page,
      page_size: pageSize,
      start: page * pageSize,
      end: page * pageSize + Math.max(0, slice.length - 1),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake.twilio");
    if (req.method === "GET" && url.pathname === path) return list(req, res, url);
    if (req.method !== "POST" || req.url !== path)
      return json(res, 404, { code: 20404, message: "not found" });
    const form = new URLSearchParams(raw);
    const header = req.headers["i-twilio-idempotency-token"];
    const token = Array.isArray(header) ? header[0] : header;
    const entry: FakeTwilioRequest = {
      token,
      to: form.get("To") ?? "",
      body: form.get("Body") ?? "",
      outcome: "accepted",
      at: performance.now(),
    };
    requests.push(entry);
    if (req.headers.authorization !== expectedAuth) {
      entry.outcome = "unauthorized";
      return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    }
    const fault = drawFault();
    if (fault === "drop") {
      entry.outcome = "drop";
      return; // nothing accepted, no answer: the socket stays open until close()
    }
    if (fault === "500") {
      entry.outcome = "500";
      return json(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    }
    if (fault === "429") {
      entry.outcome = "429";
      res.setHeader("Retry-After", String(options.retryAfterSeconds ?? 0));
      return json(res, 429, { code: 20429, message: "Too Many Requests", status: 429 });
    }
    if (rejectTo.has(entry.to)) {
      entry.outcome = "rejected";
      return json(res, 400, {
        code: 21211,
        message: `The 'To' number ${entry.to} is not a valid phone number.`,
        status: 400,
      });
    }
    if (fault === "late") await sleep(options.lateMs ?? 1000);
    const { delivery, duplicate } = accept(token, form);
    entry.outcome =
      fault === "hang" || fault === "late" ? fault : duplicate ? "duplicate" : "accepted";
    if (fault === "hang") return; // accepted, answer lost: the socket stays open until close()
    const delay = options.answerDelayMs?.() ?? 0;
    if (delay > 0) await sleep(delay);
    if (res.destroyed || res.socket?.destroyed) return; // "late": the client gave up
    json(res, 201, { sid: delivery.sid, status: "queued", to: delivery.to, body: delivery.body });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  async function postSigned(
    url: string,
    params: Record<string, string>,
    signature?: string,
  ): Promise<Response> {
    return fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature ?? twilioSignature(authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    deliveries,
    lists,
    duplicates() {
      return deliveries.length - new Set(deliveries.map((d) => d.token)).size;
    },
    setFaults(rate, kinds) {
      faultRate = rate;
      forced.length = 0;
      if (kinds) faultKinds = kinds;
    },
    failNext(n, kind) {
      for (let i = 0; i < n; i++) forced.push(kind);
    },
    async sendStatus(sid, status, extra = {}) {
      const delivery = bySid.get(sid);
      if (!delivery?.statusCallback) throw new Error(`no StatusCallback recorded for ${sid}`);
      return postSigned(delivery.statusCallback, {
        AccountSid: accountSid,
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        To: delivery.to,
        From: delivery.from,
        ApiVersion: "2010-04-01",
        ...extra,
      });
    },
    async sendInbound(url, message) {
      const sid = message.sid ?? `SM${randomBytes(16).toString("hex")}`;
      return postSigned(url, {
        AccountSid: accountSid,
        MessageSid: sid,
        SmsSid: sid,
        From: message.from,
        To: "+15005550006",
        Body: message.body,
        NumMedia: "0",
        ApiVersion: "2010-04-01",
      });
    },
    postSigned,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A Message resource as Twilio's API renders it (the fields delivery and the twilio client read). */
function messageResource(d: FakeDelivery, accountSid: string): Record<string, unknown> {
  const date = d.createdAt.toUTCString().replace("GMT", "+0000");
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: d.body,
    date_created: date,
    date_sent: date,
    date_updated: date,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: d.from,
    messaging_service_sid: null,
    num_media: "0",
    num_segments: "1",
    price: null,
    price_unit: "USD",
    sid: d.sid,
    status: "sent",
    subresource_uris: {},
    to: d.to,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${d.sid}.json`,
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function pick<T>(items: readonly T[], random: () => number): T | undefined {
  return items[Math.floor(random() * items.length)];
}

/** Small seeded PRNG so fault sequences repeat from run to run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
