import { createHash } from "node:crypto";
import { assertNever } from "../../../engine/shared/assert-never.ts";
import { maskEmail, maskPhone } from "../../privacy/mask.ts";
import type { DeliveryLog, Provider, SendRequest, SendResult } from "../types.ts";

/**
 * The default provider: nothing leaves the machine. Each message is logged (the address
 * masked: logs are shipped and kept, and must never hold a number in clear) and marked sent
 * with a synthetic provider id derived from the idempotency key, so a retried message gets the
 * same id, as with a real provider. The UI shows these messages from the `messages` table.
 */
export function createConsoleProvider(
  log: DeliveryLog,
  ratePerSecond: number | null = null,
): Provider {
  return {
    name: "console",
    ratePerSecond,
    async send(request: SendRequest): Promise<SendResult> {
      const providerMessageId = syntheticId("console", request.idempotencyKey);
      log.info(
        {
          provider: "console",
          messageId: request.messageId,
          channel: request.channel,
          to: maskAddress(request),
          body: request.body,
          providerMessageId,
        },
        "message sent (console provider)",
      );
      return { kind: "sent", providerMessageId };
    },
  };
}

export function syntheticId(prefix: string, idempotencyKey: string): string {
  return `${prefix}_${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 24)}`;
}

function maskAddress(request: SendRequest): string {
  switch (request.channel) {
    case "sms":
      return maskPhone(request.to);
    case "email":
      return maskEmail(request.to);
    case "push":
    case "webhook":
      return request.to;
    default:
      return assertNever(request.channel);
  }
}
