import type { WebhookConfig } from "../config.ts";
import { webhookSignatureHeader } from "../signatures.ts";
import type { Provider, SendRequest, SendResult } from "../types.ts";
import { syntheticId } from "./console.ts";
import { postWithTimeout } from "./http.ts";

/**
 * Hands each message to your own HTTP endpoint as JSON:
 *
 *   POST <WAYMARK_WEBHOOK_URL>
 *   Content-Type: application/json
 *   Idempotency-Key: <messages.idempotency_key>        (the same on every retry: dedupe on it)
 *   X-Waymark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<raw body>", secret)>
 *
 *   {"messageId": 42, "idempotencyKey": "…", "channel": "sms", "to": "+8613…", "body": "…"}
 *
 * Answer 2xx to accept (optionally `{"id": "<your id>"}`, stored as the provider message id);
 * 429 or 5xx (with Retry-After if you like) to be retried with backoff; any other 4xx fails the
 * message for good. See signatures.ts for the verification recipe.
 */
export function createWebhookProvider(options: {
  config: WebhookConfig;
  timeoutMs: number;
  ratePerSecond: number | null;
  now?: () => number;
}): Provider {
  const { config, timeoutMs } = options;
  const now = options.now ?? Date.now;
  return {
    name: "webhook",
    ratePerSecond: options.ratePerSecond,
    async send(request: SendRequest): Promise<SendResult> {
      const body = JSON.stringify({
        messageId: request.messageId,
        idempotencyKey: request.idempotencyKey,
        channel: request.channel,
        to: request.to,
        body: request.body,
      });
      const outcome = await postWithTimeout(
        config.url,
        {
          headers: {
            "content-type": "application/json",
            "idempotency-key": request.idempotencyKey,
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
      );
      if (outcome.kind !== "answer") return outcome;
      return {
        kind: "sent",
        providerMessageId:
          idFrom(outcome.answer.text) ?? syntheticId("webhook", request.idempotencyKey),
      };
    },
  };
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
