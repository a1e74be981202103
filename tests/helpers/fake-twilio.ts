import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { twilioSignature } from "../../server/delivery/signatures.ts";

/**
 * A Twilio-shaped SMS provider on loopback, for tests of delivery and of the whole runtime.
 *
 * It speaks `POST /2010-04-01/Accounts/{sid}/Messages.json` (form-encoded To/From/Body/
 * StatusCallback, Basic auth, `I-Twilio-Idempotency-Token`), answers 201 with `{sid, status}`,
 * and deduplicates like Twilio: the same idempotency token gets the same sid and is delivered
 * once. Every request is recorded, whatever it was answered, so a test can prove that no token
 * was delivered twice.
 *
 * Faults, per request, with a seeded random so runs repeat:
 *  - "500": answered 500 before anything is accepted;
 *  - "429": answered 429 with `Retry-After`, nothing accepted;
 *  - "hang": the message IS accepted, then the answer never comes (the client times out). This
 *    is the case that needs idempotency: the retry must not deliver it again.
 * `rejectTo` numbers get Twilio's 400 / 21211 "invalid To" answer.
 *
 * It can also play Twilio's webhooks: signed status callbacks (to the StatusCallback the message
 * named) and signed inbound messages.
 */

export type FaultKind = "500" | "429" | "hang";

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
}

export interface FakeTwilio {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  requests: FakeTwilioRequest[];
  /** One entry per distinct accepted message (per idempotency token). */
  deliveries: FakeDelivery[];
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
    if (existing) return { delivery: existing, duplicate: true };
    const delivery: FakeDelivery = {
      sid: `SM${randomBytes(16).toString("hex")}`,
      token,
      to: form.get("To") ?? "",
      from: form.get("From") ?? form.get("MessagingServiceSid") ?? "",
      body: form.get("Body") ?? "",
      statusCallback: form.get("StatusCallback") ?? undefined,
    };
    deliveries.push(delivery);
    bySid.set(delivery.sid, delivery);
    if (token) byToken.set(token, delivery);
    return { delivery, duplicate: false };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
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
    const fault = forced.shift() ?? (random() < faultRate ? pick(faultKinds, random) : undefined);
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
    const { delivery, duplicate } = accept(token, form);
    entry.outcome = fault === "hang" ? "hang" : duplicate ? "duplicate" : "accepted";
    if (fault === "hang") return; // accepted, answer lost: the socket stays open until close()
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
