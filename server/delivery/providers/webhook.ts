import type { WebhookRequest } from "../../../engine/webhook/spec.ts";
import type { WebhookConfig } from "../config.ts";
import { checkDestination } from "../destinations.ts";
import { webhookSignatureHeader } from "../signatures.ts";
import type { LookupRequest, LookupResult, Provider, SendRequest, SendResult } from "../types.ts";
import { syntheticId } from "./console.ts";
import { connectionPool, type PostOutcome, postWithTimeout, requestWithTimeout } from "./http.ts";

/**
 * Hands each message to your own HTTP endpoint as JSON:
 *
 *   POST <WAYMARK_WEBHOOK_URL>
 *   Content-Type: application/json
 *   Idempotency-Key: <messages.provider_key, a UUID>   (the same on every retry: dedupe on it)
 *   X-Waymark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<raw body>", secret)>
 *
 *   {"messageId": 42, "idempotencyKey": "…", "channel": "sms", "to": "+8613…", "body": "…"}
 *
 * Answer 2xx to accept (optionally `{"id": "<your id>"}`, stored as the provider message id);
 * 429 or 5xx (with Retry-After if you like) to be retried with backoff; any other 4xx fails the
 * message for good. See signatures.ts for the verification recipe.
 *
 * Optional lookup (WAYMARK_WEBHOOK_LOOKUP_URL): before a message whose outcome is unknown (our
 * request timed out, or we crashed before recording your answer) is sent again, we ask
 *
 *   POST <WAYMARK_WEBHOOK_LOOKUP_URL>            (signed the same way)
 *   {"idempotencyKey": "…", "messageId": 42}
 *
 * and you answer 200 `{"accepted": true, "id": "<your id>"}` if you hold a message with that
 * key, `{"accepted": false}` if not; anything else means "ask again later". With it, nothing is
 * sent twice even if you do not deduplicate; without it the resend carries the same key.
 *
 * A webhook send with its own request fields (`send.webhook`, engine/webhook/spec.ts) goes
 * instead to its URL with its method, headers and rendered JSON body, signed the same way over
 * that body (an empty one for GET) and with the same Idempotency-Key; answers mean the same.
 * Its destination must pass destinations.ts (public addresses, or WAYMARK_WEBHOOK_ALLOW_HOSTS).
 * The lookup is not asked about such a message: it is resent with the same key.
 */
export function createWebhookProvider(options: {
  config: WebhookConfig;
  timeoutMs: number;
  ratePerSecond: number | null;
  now?: () => number;
}): Provider {
  const { config, timeoutMs } = options;
  const now = options.now ?? Date.now;
  // Kept-alive connections of this provider's own, closed when Settings replace it.
  const pool = connectionPool();
  const signedPost = (url: string, body: string, extra: Record<string, string> = {}) =>
    postWithTimeout(
      url,
      {
        headers: {
          "content-type": "application/json",
          ...extra,
          "x-waymark-signature": webhookSignatureHeader(
            config.secret,
            body,
            Math.floor(now() / 1000),
          ),
        },
        body,
      },
      timeoutMs,
      now,
      pool,
    );
  const lookupUrl = config.lookupUrl;
  const lookup = lookupUrl
    ? async (request: LookupRequest): Promise<LookupResult> => {
        // Your lookup knows your endpoint's messages, not those a send posted to its own URL:
        // such a message is resent with the same key, as without a lookup.
        if (request.webhook) return { kind: "not_accepted" };
        const body = JSON.stringify({
          idempotencyKey: request.idempotencyKey,
          messageId: request.messageId,
        });
        const outcome = await signedPost(lookupUrl, body);
        if (outcome.kind !== "answer") return { kind: "unavailable", error: outcome.error };
        const answer = lookupAnswer(outcome.answer.text);
        if (answer === null) return { kind: "unavailable", error: "lookup: unexpected answer" };
        if (!answer.accepted) return { kind: "not_accepted" };
        return {
          kind: "accepted",
          providerMessageIds: [answer.id ?? syntheticId("webhook", request.idempotencyKey)],
        };
      }
    : undefined;
  return {
    name: "webhook",
    ratePerSecond: options.ratePerSecond,
    ...(lookup ? { lookup } : {}),
    close: () => pool.close(),
    async send(request: SendRequest): Promise<SendResult> {
      const outcome = request.webhook
        ? await ownRequest(request.webhook, request.idempotencyKey)
        : await envelope(request);
      if (outcome.kind !== "answer") return outcome;
      return {
        kind: "sent",
        providerMessageId:
          idFrom(outcome.answer.text) ?? syntheticId("webhook", request.idempotencyKey),
      };
    },
  };

  async function ownRequest(w: WebhookRequest, key: string): Promise<PostOutcome> {
    let check: Awaited<ReturnType<typeof checkDestination>>;
    try {
      check = await checkDestination(w.url, config.allowHosts ?? []);
    } catch (err) {
      // A name that does not resolve now may later; nothing was sent.
      return { kind: "retry", error: `resolving ${new URL(w.url).hostname}: ${String(err)}` };
    }
    if (check.kind === "refused") return { kind: "failed", error: check.error };
    const body = w.body ?? "";
    return requestWithTimeout(
      w.url,
      {
        method: w.method,
        headers: {
          ...(w.body === null ? {} : { "content-type": "application/json" }),
          ...w.headers,
          "idempotency-key": key,
          "x-waymark-signature": webhookSignatureHeader(
            config.secret,
            body,
            Math.floor(now() / 1000),
          ),
        },
        ...(w.body === null ? {} : { body: w.body }),
      },
      timeoutMs,
      now,
      pool,
    );
  }

  function envelope(request: SendRequest): Promise<PostOutcome> {
    const body = JSON.stringify({
      messageId: request.messageId,
      idempotencyKey: request.idempotencyKey,
      channel: request.channel,
      to: request.to,
      body: request.body,
    });
    return signedPost(config.url, body, { "idempotency-key": request.idempotencyKey });
  }
}

function lookupAnswer(text: string): { accepted: boolean; id: string | undefined } | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "accepted" in parsed) {
      if (typeof parsed.accepted === "boolean") {
        return { accepted: parsed.accepted, id: idFrom(text) };
      }
    }
  } catch {
    // Not JSON: not an answer we can act on.
  }
  return null;
}

function idFrom(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "id" in parsed) {
      const id = parsed.id;
      if (typeof id === "string" && id !== "") return id.slice(0, 200);
      if (typeof id === "number") return String(id);
    }
  } catch {
    // An empty or non-JSON 2xx is an acceptance without an id of its own.
  }
  return undefined;
}
