import type { TwilioConfig } from "../config.ts";
import type { Provider, SendRequest, SendResult } from "../types.ts";
import { postWithTimeout, scrubNumbers } from "./http.ts";

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
  return {
    name: "twilio",
    ratePerSecond: options.ratePerSecond,
    async send(request: SendRequest): Promise<SendResult> {
      const form = new URLSearchParams({ To: request.to, Body: request.body });
      // A Messaging Service picks the sender itself (number pools, sticky sender).
      if (/^MG[0-9a-f]{32}$/i.test(config.from)) form.set("MessagingServiceSid", config.from);
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
      );
      switch (outcome.kind) {
        case "answer": {
          const sid = sidFrom(outcome.answer.text);
          // A 2xx without a sid is not an acceptance we can track; retrying is safe (same
          // idempotency token), so it is a retry rather than a message lost without trace.
          if (!sid) return { kind: "retry", error: "2xx answer without a message sid" };
          return { kind: "sent", providerMessageId: sid };
        }
        case "retry":
          return outcome;
        case "failed":
          return { kind: "failed", error: twilioError(outcome.error) };
      }
    },
  };
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
