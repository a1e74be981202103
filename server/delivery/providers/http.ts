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
  headers: Headers;
  text: string;
}

export type PostOutcome =
  | { kind: "answer"; answer: HttpAnswer }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "unknown"; error: string }
  | { kind: "failed"; error: string };

export function postWithTimeout(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<PostOutcome> {
  return requestWithTimeout(url, { method: "POST", ...init }, timeoutMs, now);
}

export async function requestWithTimeout(
  url: string,
  init: {
    method: "GET" | "POST" | "PUT" | "PATCH";
    headers: Record<string, string>;
    body?: string;
  },
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<PostOutcome> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The timeout covers the body too: a server that sends headers and then stalls is a timeout.
    text = await response.text();
  } catch (err) {
    const error = connectionError(err, timeoutMs);
    return neverSent(err) ? { kind: "retry", error } : { kind: "unknown", error };
  }
  const { status, headers } = response;
  if (status >= 200 && status < 300) return { kind: "answer", answer: { status, headers, text } };
  const error = `HTTP ${status}: ${scrubNumbers(text.slice(0, 300))}`;
  if (status === 502 || status === 504) return { kind: "unknown", error };
  // 408: the server gave up waiting for our request, which it therefore did not act on.
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers.get("retry-after"), now());
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
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function neverSent(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  const code =
    cause && typeof cause === "object" && "code" in cause ? String(cause.code) : undefined;
  return code !== undefined && NOT_SENT.has(code);
}

function connectionError(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `timed out after ${timeoutMs} ms`;
  }
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return scrubNumbers(`${err.message}${cause}`);
  }
  return "connection error";
}
