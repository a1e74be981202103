import type { TwilioConfig } from "../config.ts";
import type { LookupRequest, LookupResult, Provider, SendRequest, SendResult } from "../types.ts";
import { connectionPool, postWithTimeout, requestWithTimeout, scrubNumbers } from "./http.ts";

/**
 * Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
 *
 *   POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json
 *   Authorization: Basic base64(AccountSid:AuthToken)
 *   I-Twilio-Idempotency-Token: <messages.idempotency_key>
 *   To=…&From=…|MessagingServiceSid=MG…&Body=…&StatusCallback=…
 *
 * answered with 201 and the message resource as JSON, whose `sid` we keep. The base URL is
 * configurable so tests (tests/helpers/fake-twilio.ts) and Twilio-compatible gateways work.
 *
 * The StatusCallback names our message id in its query (`?m=42`): a callback can then find the
 * message even when it overtakes the API answer that told us the sid.
 *
 * Whether Twilio honours the idempotency token is not something we rely on: a message whose
 * outcome is unknown is looked up in Twilio's message list before it is sent again
 * (https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources):
 *
 *   GET {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json?To=…&From=…&PageSize=1000
 *
 * The resource does not echo the token or our callback URL, so a match is an outbound message
 * to the same number with the same body, created no earlier than a minute (clock skew) before
 * our first unanswered call; the worker skips sids another of our messages owns. The list is
 * not filtered by DateSent: a message Twilio still queues has no sent date yet, and it is
 * exactly the one we are looking for. Caveats, stated in the README: a Messaging Service with
 * Smart Encoding may rewrite the body (no match, so a resend), and two of our messages with
 * the same text to the same number whose outcomes are both unknown at the same moment may take
 * each other's sid.
 */
export const TWILIO_STATUS_PATH = "/v1/providers/twilio/status";
export const TWILIO_INBOUND_PATH = "/v1/providers/twilio/inbound";

export function createTwilioProvider(options: {
  config: TwilioConfig;
  /** Base for StatusCallback; without one, Twilio sends no callbacks (only the API answer). */
  publicUrl: string | undefined;
  timeoutMs: number;
  ratePerSecond: number | null;
  now?: () => number;
}): Provider {
  const { config, publicUrl, timeoutMs } = options;
  const endpoint = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;
  // A Messaging Service picks the sender itself (number pools, sticky sender).
  const service = /^MG[0-9a-f]{32}$/i.test(config.from);
  // Kept-alive connections of this provider's own, closed when Settings replace it.
  const pool = connectionPool();
  return {
    name: "twilio",
    ratePerSecond: options.ratePerSecond,
    close: () => pool.close(),
    async send(request: SendRequest): Promise<SendResult> {
      const form = new URLSearchParams({ To: request.to, Body: request.body });
      if (service) form.set("MessagingServiceSid", config.from);
      else form.set("From", config.from);
      if (publicUrl)
        form.set("StatusCallback", `${publicUrl}${TWILIO_STATUS_PATH}?m=${request.messageId}`);
      const outcome = await postWithTimeout(
        endpoint,
        {
          headers: {
            authorization,
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
            "i-twilio-idempotency-token": request.idempotencyKey,
          },
          body: form.toString(),
        },
        timeoutMs,
        options.now,
        pool,
      );
      switch (outcome.kind) {
        case "answer": {
          const sid = sidFrom(outcome.answer.text);
          // A 2xx without a sid may be an acceptance we cannot track: the lookup settles it.
          if (!sid) return { kind: "unknown", error: "2xx answer without a message sid" };
          return { kind: "sent", providerMessageId: sid };
        }
        case "retry":
        case "unknown":
          return outcome;
        case "failed":
          return { kind: "failed", error: twilioError(outcome.error) };
      }
    },
    async lookup(request: LookupRequest): Promise<LookupResult> {
      const query = new URLSearchParams({ To: request.to, PageSize: String(LIST_PAGE_SIZE) });
      if (!service) query.set("From", config.from);
      const earliest = request.since.getTime() - CLOCK_SKEW_MS;
      const found: { sid: string; created: number }[] = [];
      let url: string | null = `${endpoint}?${query.toString()}`;
      for (let page = 0; url && page < LIST_MAX_PAGES; page++) {
        const outcome = await requestWithTimeout(
          url,
          { method: "GET", headers: { authorization, accept: "application/json" } },
          timeoutMs,
          options.now,
          pool,
        );
        if (outcome.kind !== "answer") {
          return { kind: "unavailable", error: `message list: ${outcome.error}` };
        }
        const list = messageList(outcome.answer.text);
        if (!list) return { kind: "unavailable", error: "message list: unexpected answer" };
        for (const m of list.messages) {
          if (m.body === request.body && m.created >= earliest) found.push(m);
        }
        url = list.nextPageUri ? config.baseUrl + list.nextPageUri : null;
      }
      // Past LIST_MAX_PAGES (3,000 messages to one number from us) the rest is older history.
      if (found.length === 0) return { kind: "not_accepted" };
      found.sort((a, b) => a.created - b.created);
      return { kind: "accepted", providerMessageIds: found.map((m) => m.sid) };
    },
  };
}

const LIST_PAGE_SIZE = 1000;
const LIST_MAX_PAGES = 3;
const CLOCK_SKEW_MS = 60_000;

/** The outbound messages of one list page, and the next page's path. */
function messageList(text: string): {
  messages: { sid: string; body: string; created: number }[];
  nextPageUri: string | null;
} | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object" || !("messages" in parsed)) return null;
  const raw = parsed.messages;
  if (!Array.isArray(raw)) return null;
  const messages: { sid: string; body: string; created: number }[] = [];
  for (const m of raw as unknown[]) {
    if (!m || typeof m !== "object") continue;
    const { sid, body, date_created, direction } = m as Record<string, unknown>;
    if (typeof sid !== "string" || typeof body !== "string") continue;
    if (typeof direction === "string" && !direction.startsWith("outbound")) continue;
    const created = typeof date_created === "string" ? Date.parse(date_created) : Number.NaN;
    if (Number.isNaN(created)) continue;
    messages.push({ sid, body, created });
  }
  const next = "next_page_uri" in parsed ? parsed.next_page_uri : null;
  return { messages, nextPageUri: typeof next === "string" && next.startsWith("/") ? next : null };
}

function sidFrom(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "sid" in parsed && typeof parsed.sid === "string") {
      return parsed.sid;
    }
  } catch {
    // Not JSON: no sid.
  }
  return undefined;
}

/** Twilio errors are `{code, message, more_info, status}`; keep code and message, scrubbed. */
function twilioError(error: string): string {
  const json = error.slice(error.indexOf(":") + 1).trim();
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === "object" && "code" in parsed && "message" in parsed) {
      return scrubNumbers(
        `${error.slice(0, error.indexOf(":"))}: Twilio ${String(parsed.code)} ${String(parsed.message)}`,
      );
    }
  } catch {
    // Keep the generic form.
  }
  return error;
}
