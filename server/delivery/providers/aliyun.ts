import Dysmsapi, { QuerySendDetailsRequest, SendSmsRequest } from "@alicloud/dysmsapi20170525";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { DateTime } from "luxon";
import type { AliyunConfig } from "../config.ts";
import type { LookupRequest, LookupResult, Provider, SendRequest, SendResult } from "../types.ts";
import { scrubNumbers } from "./http.ts";

/**
 * Aliyun SMS (dysmsapi 2017-05-25) through its official SDK, `@alicloud/dysmsapi20170525`, which
 * signs every call with the AccessKey secret (ACS3-HMAC-SHA256):
 *
 *   SendSms(PhoneNumbers, SignName, TemplateCode, TemplateParam JSON, OutId)
 *     → { Code: "OK", BizId, RequestId } or { Code: "isv.…", Message }
 *   QuerySendDetails(PhoneNumber, SendDate yyyyMMdd, PageSize ≤ 50, CurrentPage)
 *     → SmsSendDetailDTOs.SmsSendDetailDTO[] { OutId, SendStatus 1 waiting | 2 failed | 3 ok, … }
 *
 * Aliyun has no idempotency key: a resend is a second SMS. Our provider key goes out as
 * `OutId`, and a call whose outcome is unknown (a timeout) is looked up with QuerySendDetails
 * — the records of that phone on each China calendar day since the call — before any resend
 * (server/delivery/attempt.ts). A record with our OutId settles it; the record carries no BizId,
 * so such a message keeps the OutId as its provider id. Callbacks find messages by OutId
 * (aliyun-routes.ts), so either id works for receipts.
 *
 * The SDK's own retries stay off (its default): a retried SendSms would be a blind resend.
 */

/** Answers that mean "not now, maybe later": throttling and the provider's own trouble. */
const RETRY_CODES = new Set([
  "Throttling.User",
  "Throttling.Api",
  "isv.BUSINESS_LIMIT_CONTROL",
  "isp.SYSTEM_ERROR",
  "ServiceUnavailable",
  "InternalError",
]);

const CHINA = "Asia/Shanghai";

// The SDK is CommonJS with `exports.default = Client`; under Node's ESM loader the default
// import is the module object, so the class is one level down.
const SmsClient: typeof Dysmsapi =
  (Dysmsapi as unknown as { default?: typeof Dysmsapi }).default ?? Dysmsapi;
const PAGE_SIZE = 50;
const MAX_PAGES = 10;
const CLOCK_SKEW_MS = 60_000;

export function createAliyunProvider(options: {
  config: AliyunConfig;
  timeoutMs: number;
  ratePerSecond: number | null;
}): Provider {
  const { config, timeoutMs } = options;
  const endpoint = new URL(config.endpoint);
  const client = new SmsClient(
    new $OpenApiUtil.Config({
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      endpoint: endpoint.host,
      protocol: endpoint.protocol === "http:" ? "HTTP" : "HTTPS",
      readTimeout: timeoutMs,
      connectTimeout: Math.min(timeoutMs, 5000),
    }),
  );
  return {
    name: "aliyun",
    ratePerSecond: options.ratePerSecond,
    async send(request: SendRequest): Promise<SendResult> {
      const t = request.smsTemplate;
      if (!t) {
        return {
          kind: "failed",
          error:
            "Aliyun sends approved templates only: the send step names no template code and sign name",
        };
      }
      const params = Object.fromEntries(t.params.map((p) => [p.name, p.value]));
      const call = new SendSmsRequest({
        phoneNumbers: aliyunPhone(request.to),
        signName: t.signName,
        templateCode: t.code,
        templateParam: JSON.stringify(params),
        outId: request.idempotencyKey,
      });
      try {
        const { body } = await client.sendSms(call);
        if (body?.code === "OK" && body.bizId)
          return { kind: "sent", providerMessageId: body.bizId };
        // An answer without a BizId may still be an acceptance: QuerySendDetails settles it.
        if (body?.code === "OK") return { kind: "unknown", error: "OK answer without a BizId" };
        return codeOutcome(body?.code ?? "", body?.message ?? "");
      } catch (err) {
        return thrownOutcome(err);
      }
    },
    async lookup(request: LookupRequest): Promise<LookupResult> {
      const phone = aliyunPhone(request.to);
      for (const day of chinaDays(request.since.getTime() - CLOCK_SKEW_MS, Date.now())) {
        for (let page = 1; page <= MAX_PAGES; page++) {
          let records: { outId?: string }[];
          let total: number;
          try {
            const { body } = await client.querySendDetails(
              new QuerySendDetailsRequest({
                phoneNumber: phone,
                sendDate: day,
                pageSize: PAGE_SIZE,
                currentPage: page,
              }),
            );
            if (body?.code !== "OK") {
              return { kind: "unavailable", error: `QuerySendDetails: ${body?.code ?? "no code"}` };
            }
            records = body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
            total = Number(body.totalCount ?? records.length);
          } catch (err) {
            const outcome = thrownOutcome(err);
            return { kind: "unavailable", error: `QuerySendDetails: ${outcome.error}` };
          }
          // The record carries no BizId: the OutId (our provider key) stands for it.
          if (records.some((r) => r.outId === request.idempotencyKey)) {
            return { kind: "accepted", providerMessageIds: [request.idempotencyKey] };
          }
          if (page * PAGE_SIZE >= total || records.length === 0) break;
        }
      }
      return { kind: "not_accepted" };
    },
  };
}

/** Mainland numbers go without +86 (Aliyun's domestic form); others with their country code. */
export function aliyunPhone(e164: string): string {
  return e164.startsWith("+86") ? e164.slice(3) : e164.replace(/^\+/, "");
}

/** The China calendar days (yyyyMMdd) from `since` to `now`: QuerySendDetails asks per day. */
export function chinaDays(since: number, now: number): string[] {
  const out: string[] = [];
  let day = DateTime.fromMillis(Math.min(since, now), { zone: CHINA }).startOf("day");
  const last = DateTime.fromMillis(now, { zone: CHINA }).startOf("day");
  while (day <= last && out.length < 31) {
    out.push(day.toFormat("yyyyLLdd"));
    day = day.plus({ days: 1 });
  }
  return out;
}

function codeOutcome(code: string, message: string): SendResult {
  const error = scrubNumbers(`Aliyun ${code}: ${message}`.slice(0, 300));
  return RETRY_CODES.has(code) ? { kind: "retry", error } : { kind: "failed", error };
}

/**
 * What the SDK throws: an AlibabaCloudError with the HTTP status and Aliyun's code for an
 * answer that is not 2xx, else a network error. A timeout or a connection lost once the
 * request was out may have been accepted (unknown); a refused connection was not (retry).
 */
function thrownOutcome(err: unknown): Exclude<SendResult, { kind: "sent" }> {
  const e = (err ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
    name?: unknown;
  };
  // The SDK quotes the request URL, whose query holds the phone and the parameters: cut it.
  const message = scrubNumbers(
    String(e.message ?? err)
      .replace(/(?:POST\s*)?https?:\/\/\S*/gi, "")
      .slice(0, 300),
  );
  const status = typeof e.statusCode === "number" ? e.statusCode : null;
  const code = typeof e.code === "string" ? e.code : "";
  if (status !== null) {
    if (status === 502 || status === 504)
      return { kind: "unknown", error: `HTTP ${status}: ${message}` };
    if (status === 429 || status >= 500 || RETRY_CODES.has(code)) {
      return { kind: "retry", error: `HTTP ${status}: ${message}` };
    }
    return { kind: "failed", error: `HTTP ${status}: ${message}` };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(`${code} ${message}`)) {
    return { kind: "retry", error: message };
  }
  return { kind: "unknown", error: message };
}
