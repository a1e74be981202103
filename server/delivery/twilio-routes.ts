import type { Request } from "express";
import type { Knex } from "knex";
import { isOptInReply, isOptOutReply } from "../../engine/sms/index.ts";
import { normalizePhone } from "../../engine/time/index.ts";
import { recordEvents, recordOptOut } from "../events/record.ts";
import { HttpError } from "../http/errors.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { DeliveryConfig } from "./config.ts";
import { recordMessageEvents } from "./events.ts";
import { callbackConfigs } from "./provider-store.ts";
import { type FormParams, verifyTwilioSignature } from "./signatures.ts";
import { contactsByPhoneHash, revokeOwnSmsSuppressions } from "./sql/contacts.ts";
import { applyStatusReport } from "./sql/reports.ts";
import { eventForStatus, fromTwilioStatus } from "./status.ts";
import type { DeliveryLog } from "./types.ts";

/**
 * Twilio's webhooks: status callbacks and inbound SMS. Both are verified before anything is
 * read: a forged status could mark messages delivered, a forged inbound could opt anyone out.
 */

export interface TwilioRouteDeps {
  knex: Knex;
  crypto: FieldCrypto;
  config: DeliveryConfig;
  log: DeliveryLog;
  now: () => Date;
}

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * The form parameters, once the signature over them and the URL Twilio called checks out.
 * The URL is rebuilt from WAYMARK_PUBLIC_URL when set (behind a proxy the Host we see is not
 * the one Twilio signed), else from the request itself.
 */
export function verifiedTwilioParams(req: Request, configs: readonly DeliveryConfig[]): FormParams {
  const accounts = configs.flatMap((c) => (c.twilio ? [{ twilio: c.twilio, config: c }] : []));
  if (accounts.length === 0) throw new HttpError(404, "not_configured", "Twilio is not configured");
  const params = formParams(req.body);
  // Settings' Twilio, then the environment's: either account's token may have signed it.
  const signed = accounts.some(({ twilio, config }) => {
    const base = config.publicUrl ?? `${req.protocol}://${req.get("host") ?? "localhost"}`;
    return verifyTwilioSignature(
      twilio.authToken,
      base + req.originalUrl,
      params,
      req.get("x-twilio-signature"),
    );
  });
  if (!signed) {
    throw new HttpError(
      403,
      "invalid_signature",
      "X-Twilio-Signature is missing or does not match",
    );
  }
  return params;
}

/** MessageSid + MessageStatus: move the message up (never down) and tell waiting journeys. */
export async function handleStatusCallback(deps: TwilioRouteDeps, req: Request): Promise<void> {
  const params = verifiedTwilioParams(
    req,
    await callbackConfigs(deps.knex, deps.crypto, deps.config),
  );
  const sid = single(params.MessageSid);
  const status = fromTwilioStatus(single(params.MessageStatus) ?? "");
  if (!sid || !status) return;
  const m =
    typeof req.query.m === "string" && /^\d{1,18}$/.test(req.query.m) ? Number(req.query.m) : null;
  const errorCode = single(params.ErrorCode);
  const now = deps.now();
  await deps.knex.transaction(async (trx) => {
    const row = await applyStatusReport(trx, {
      provider: "twilio",
      providerMessageId: sid,
      messageId: m,
      status,
      error: errorCode ? `Twilio error ${errorCode}` : null,
      now,
    });
    const event = row ? eventForStatus(status) : null;
    if (row && event) await recordMessageEvents(trx, event, [row], now);
  });
}

/**
 * From + Body + MessageSid: record the reply on every contact with that number; an opt-out
 * keyword suppresses SMS marketing in the same transaction (so the next claim already skips
 * the canceled messages), START/UNSTOP/YES revokes the contact's own SMS opt-outs. The event's
 * dedupe key is the sid, so Twilio retrying the webhook changes nothing the second time.
 */
export async function handleInbound(deps: TwilioRouteDeps, req: Request): Promise<void> {
  const params = verifiedTwilioParams(
    req,
    await callbackConfigs(deps.knex, deps.crypto, deps.config),
  );
  const sid = single(params.MessageSid) ?? "";
  const body = single(params.Body) ?? "";
  const phone = normalizePhone(single(params.From) ?? "");
  if (!phone || !sid) {
    deps.log.info({ messageSid: sid }, "inbound SMS without a usable sender or sid; ignored");
    return;
  }
  const contactIds = await contactsByPhoneHash(deps.knex, deps.crypto.blindIndex(phone.e164));
  if (contactIds.length === 0) {
    // The number itself is never logged; the sid finds the message in Twilio's console.
    deps.log.info({ messageSid: sid }, "inbound SMS from a number no contact has; ignored");
    return;
  }
  const optOut = isOptOutReply(body);
  const optIn = !optOut && isOptInReply(body);
  const source = `sms:inbound:${sid}`;
  const now = deps.now();
  await deps.knex.transaction(async (trx) => {
    for (const contactId of contactIds) {
      const { inserted } = await recordEvents(
        trx,
        [
          {
            contactId,
            messageId: source,
            name: "message.replied",
            properties: { body, messageSid: sid, channel: "sms" },
            occurredAt: now,
          },
        ],
        now,
      );
      if (inserted.length === 0) continue; // a retried webhook: already handled
      if (optOut) {
        await recordOptOut(
          trx,
          { contactId, channel: "sms", category: "*", reason: "keyword", source, detail: body },
          now,
        );
      } else if (optIn) {
        await revokeOwnSmsSuppressions(trx, contactId, now);
      }
    }
  });
  deps.log.info(
    { messageSid: sid, contacts: contactIds.length, optOut, optIn },
    "inbound SMS recorded",
  );
}

function formParams(body: unknown): FormParams {
  const out: FormParams = Object.create(null); // keyed by the sender's field names (issue #14)
  if (!body || typeof body !== "object") return out;
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string") out[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) out[name] = value;
  }
  return out;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
