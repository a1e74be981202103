import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * The HTTP half every network adapter shares: one request with a hard timeout, and the one rule
 * for what an answer means. Retrying a rejection would only repeat it, so only errors that can
 * pass are retried: 408, 429, 5xx, connection errors. Of those, the ones after which the provider
 * may nevertheless hold the message are `unknown` — a timeout, a connection lost once the
 * request was on its way, a gateway's 502/504 (its upstream may have taken it) — and are
 * reconciled before they are sent again (server/delivery/attempt.ts).
 */

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type PostOutcome =
  | { kind: "answer"; answer: HttpAnswer }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "unknown"; error: string }
  | { kind: "failed"; error: string };

/**
 * One provider's kept-alive connections. Why node:http and not fetch: on a local provider, fetch
 * (undici behind WHATWG streams, Headers and an AbortSignal per call) was half of a delivery
 * worker's CPU, ~300 µs a message; the same request through an http.Agent is a fraction of it
 * (docs/SCALING.md, "Delivery"). Connections stay open between sends (keepAlive, idle ones
 * unreferenced so they never hold the process up) and are not capped here: the lanes bound the
 * calls in flight (lanes.ts), and the pool grows to what they allow.
 */
export interface ConnectionPool {
  agentFor(protocol: string): HttpAgent | HttpsAgent | null;
  /** Closes the idle connections and refuses to keep new ones (the provider was replaced). */
  close(): void;
}

export function connectionPool(): ConnectionPool {
  const options = { keepAlive: true, scheduling: "lifo" as const };
  const http = new HttpAgent(options);
  const https = new HttpsAgent(options);
  return {
    agentFor: (protocol) => (protocol === "http:" ? http : protocol === "https:" ? https : null),
    close() {
      http.destroy();
      https.destroy();
    },
  };
}

/** For callers without a pool of their own (a provider test send from Settings, say). */
const sharedPool = connectionPool();

export function postWithTimeout(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
  now: () => number = Date.now,
  pool: ConnectionPool = sharedPool,
): Promise<PostOutcome> {
  return requestWithTimeout(url, { method: "POST", ...init }, timeoutMs, now, pool);
}

export function requestWithTimeout(
  url: string,
  init: {
    method: "GET" | "POST" | "PUT" | "PATCH";
    headers: Record<string, string>;
    body?: string;
  },
  timeoutMs: number,
  now: () => number = Date.now,
  pool: ConnectionPool = sharedPool,
): Promise<PostOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ kind: "retry", error: "invalid URL" });
  }
  const agent = pool.agentFor(target.protocol);
  if (!agent) return Promise.resolve({ kind: "retry", error: `unsupported ${target.protocol}` });
  const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
  const headers: Record<string, string | number> = { "user-agent": "waymark", ...init.headers };
  if (body) headers["content-length"] = body.length;
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    let timedOut = false;
    const settle = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const failed = (err: unknown) => {
      const error = timedOut ? `timed out after ${timeoutMs} ms` : connectionError(err);
      settle(!timedOut && neverSent(err) ? { kind: "retry", error } : { kind: "unknown", error });
    };
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: init.method, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("error", failed);
      res.on("aborted", () => failed(new Error("the answer was cut off")));
      res.on("end", () => {
        if (res.complete) settle(classify(res.statusCode ?? 0, res.headers, text, now));
        else failed(new Error("the answer was cut off"));
      });
    });
    // The timeout covers the answer's body too: a server that sends headers and then stalls is
    // a timeout.
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error("timeout"));
    }, timeoutMs);
    req.on("error", failed);
    req.end(body);
  });
}

function classify(
  status: number,
  headers: IncomingHttpHeaders,
  text: string,
  now: () => number,
): PostOutcome {
  if (status >= 200 && status < 300) return { kind: "answer", answer: { status, headers, text } };
  // Redirects are not followed (a provider that moved must be reconfigured, not chased); as
  // with fetch's redirect: "error", whoever answered may have acted on the request.
  if (status >= 300 && status < 400) return { kind: "unknown", error: `HTTP ${status}: redirect` };
  const error = `HTTP ${status}: ${scrubNumbers(text.slice(0, 300))}`;
  if (status === 502 || status === 504) return { kind: "unknown", error };
  // 408: the server gave up waiting for our request, which it therefore did not act on.
  if (status === 408 || status === 429 || status >= 500) {
    const header = headers["retry-after"];
    const retryAfterMs = parseRetryAfter(
      typeof header === "string" ? header : (header?.[0] ?? null),
      now(),
    );
    return retryAfterMs === undefined
      ? { kind: "retry", error }
      : { kind: "retry", error, retryAfterMs };
  }
  return { kind: "failed", error };
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Provider error texts quote the number they rejected ("The 'To' number +1415… is not valid").
 * Errors are stored in messages.last_error and logged, so digits that look like a phone number
 * are replaced before they go anywhere.
 */
export function scrubNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, "[number]");
}

/**
 * Errors raised before a byte of the request left: nothing can have been accepted. Anything
 * else (a timeout, a reset mid-request) may have reached the provider.
 */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function neverSent(err: unknown): boolean {
  const code = err && typeof err === "object" && "code" in err ? String(err.code) : undefined;
  return code !== undefined && NOT_SENT.has(code);
}

function connectionError(err: unknown): string {
  return err instanceof Error ? scrubNumbers(err.message) : "connection error";
}
