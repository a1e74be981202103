import { timingSafeEqual } from "node:crypto";
import type { Knex } from "knex";
import { z } from "zod";
import { normalizeReply } from "../../engine/sms/index.ts";
import { normalizePhone } from "../../engine/time/index.ts";
import { recordEvents, recordOptOut } from "../events/record.ts";
import { HttpError } from "../http/errors.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { DeliveryConfig } from "./config.ts";
import { recordMessageEvents } from "./events.ts";
import { messageByOutId } from "./sql/aliyun.ts";
import { contactsByPhoneHash } from "./sql/contacts.ts";
import { applyStatusReport } from "./sql/reports.ts";
import { eventForStatus } from "./status.ts";
import type { DeliveryLog } from "./types.ts";

/**
 * Aliyun's HTTP batch push (短信回执 SmsReport, 上行 SmsUp): Aliyun POSTs a JSON array of
 * records and expects `{"code":0,"msg":"成功"}`, retrying otherwise. Aliyun signs nothing, so
 * the URL we register in its console carries a secret token (`ALIYUN_CALLBACK_TOKEN`):
 * `/v1/providers/aliyun/<token>/report` and `/up`. A wrong token is a 404, as for a route that
 * does not exist; while no token is configured both answer 404.
 */

export const SmsReportSchema = z
  .array(
    z.looseObject({
      phone_number: z.string().max(32).optional(),
      success: z.boolean(),
      biz_id: z.string().max(100).optional(),
      out_id: z.string().max(100).optional(),
      err_code: z.string().max(100).optional(),
      err_msg: z.string().max(300).optional(),
      report_time: z.string().max(40).optional(),
    }),
  )
  .max(1000);

export const SmsUpSchema = z
  .array(
    z.looseObject({
      phone_number: z.string().min(1).max(32),
      content: z.string().max(1000),
      sign_name: z.string().max(40).optional(),
      sequence_id: z.union([z.string().max(64), z.number()]),
      send_time: z.string().max(40).optional(),
    }),
  )
  .max(1000);

/** What Aliyun needs to hear to stop retrying. */
export const ALIYUN_ACK = { code: 0, msg: "成功" } as const;
export const AliyunAck = z.object({ code: z.literal(0), msg: z.string() });

/**
 * The replies that opt a contact out at Aliyun: TD, T, R, 退订 and N (as Aliyun's own
 * unsubscribe handling reads them), whole-message, trimmed and case-insensitive.
 */
const ALIYUN_OPT_OUT = new Set(["TD", "T", "R", "退订", "N"]);
export function isAliyunOptOut(content: string): boolean {
  return ALIYUN_OPT_OUT.has(normalizeReply(content));
}

export interface AliyunRouteDeps {
  knex: Knex;
  crypto: FieldCrypto;
  config: DeliveryConfig;
  log: DeliveryLog;
  now: () => Date;
}

/**
 * 404 unless the path's token is a configured one — Settings' Aliyun or the environment's
 * (callbackConfigs) — compared in constant time.
 */
export function checkCallbackToken(configs: readonly DeliveryConfig[], token: string): void {
  const given = Buffer.from(token);
  const matches = configs.some((config) => {
    const expected = config.aliyun?.callbackToken;
    const want = Buffer.from(expected ?? "");
    return !!expected && given.length === want.length && timingSafeEqual(given, want);
  });
  if (!matches) throw new HttpError(404, "not_found", "no such route");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Receipts: success → delivered, else undelivered with Aliyun's error code. */
export async function handleSmsReport(
  deps: AliyunRouteDeps,
  records: z.infer<typeof SmsReportSchema>,
): Promise<number> {
  let moved = 0;
  const now = deps.now();
  for (const r of records) {
    if (!r.out_id || !UUID.test(r.out_id)) continue; // not one of ours (sent from elsewhere)
    const status = r.success ? "delivered" : "undelivered";
    await deps.knex.transaction(async (trx) => {
      const found = r.out_id ? await messageByOutId(trx, r.out_id) : null;
      if (!found) return;
      const row = await applyStatusReport(trx, {
        provider: "aliyun",
        providerMessageId: found.providerMessageId ?? r.biz_id ?? r.out_id ?? "",
        messageId: found.id,
        status,
        error: r.success ? null : `Aliyun ${r.err_code ?? "error"}: ${r.err_msg ?? ""}`.trim(),
        now,
      });
      const event = row ? eventForStatus(status) : null;
      if (row && event) {
        await recordMessageEvents(trx, event, [row], now);
        moved++;
      }
    });
  }
  return moved;
}

/**
 * Inbound replies: recorded as message.replied on every contact with the number; an opt-out
 * reply suppresses promotional SMS for that contact at once (queued ones canceled). Sign names
 * are not modelled per contact, so the opt-out covers all promotional SMS, whichever sign name
 * the reply answered (it is kept in the suppression's detail). Transactional and service SMS
 * (order and delivery notices) still go. The event's dedupe key is the sequence id, so Aliyun
 * retrying the push changes nothing.
 */
export async function handleSmsUp(
  deps: AliyunRouteDeps,
  records: z.infer<typeof SmsUpSchema>,
): Promise<void> {
  const now = deps.now();
  for (const r of records) {
    const digits = r.phone_number.replace(/[\s-]/g, "");
    // Mainland numbers arrive without a country code (13800138000).
    const phone = normalizePhone(
      /^1\d{10}$/.test(digits) ? `+86${digits}` : `+${digits.replace(/^\+|^00/, "")}`,
    );
    if (!phone) continue;
    const contactIds = await contactsByPhoneHash(deps.knex, deps.crypto.blindIndex(phone.e164));
    if (contactIds.length === 0) continue;
    const optOut = isAliyunOptOut(r.content);
    const source = `sms:aliyun:up:${String(r.sequence_id)}`;
    const sign = r.sign_name ?? "";
    await deps.knex.transaction(async (trx) => {
      for (const contactId of contactIds) {
        const { inserted } = await recordEvents(
          trx,
          [
            {
              contactId,
              messageId: source,
              name: "message.replied",
              properties: { body: r.content, signName: sign, channel: "sms", provider: "aliyun" },
              occurredAt: now,
            },
          ],
          now,
        );
        if (inserted.length === 0 || !optOut) continue;
        await recordOptOut(
          trx,
          {
            contactId,
            channel: "sms",
            category: "promotional",
            reason: "keyword",
            source,
            detail: sign ? `【${sign}】 ${r.content}` : r.content,
          },
          now,
        );
      }
    });
    deps.log.info(
      { sequenceId: r.sequence_id, contacts: contactIds.length, optOut },
      "Aliyun SmsUp recorded",
    );
  }
}
