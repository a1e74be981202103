import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DateTime } from "luxon";

/**
 * A local Aliyun SMS API (dysmsapi 2017-05-25, RPC style, as `@alicloud/dysmsapi20170525`
 * calls it): POST / with the action in `x-acs-action` and its parameters in the query, signed
 * with ACS3-HMAC-SHA256 (https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature).
 * Every request's signature is recomputed here from the secret and compared: a wrong secret is
 * answered 400 SignatureDoesNotMatch, like the real API. Like the real API it does not
 * deduplicate: two SendSms calls with one OutId are two SMS (the test counts them).
 *
 * `hang(n, { record })`: the next n SendSms calls get no answer (the caller times out); with
 * `record` the SMS is still sent (the provider took it, the answer was lost), without it is not.
 */

export interface SentSms {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  outId: string;
  bizId: string;
  at: number;
}

export interface FakeAliyun {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  sent: SentSms[];
  /** Every request: its action, whether its signature held, and the OutId a SendSms carried. */
  calls: { action: string; ok: boolean; outId: string | null }[];
  hang(count: number, opts: { record: boolean }): void;
  close(): Promise<void>;
}

const CHINA = "Asia/Shanghai";

export async function startFakeAliyun(
  opts: { accessKeyId?: string; accessKeySecret?: string } = {},
): Promise<FakeAliyun> {
  const accessKeyId = opts.accessKeyId ?? "LTAI5tFakeKeyId";
  const accessKeySecret = opts.accessKeySecret ?? "fake-secret-0123456789abcdef";
  const sent: SentSms[] = [];
  const calls: FakeAliyun["calls"] = [];
  let hangs: { record: boolean }[] = [];
  const hanging = new Set<ServerResponse>();

  function answer(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://fake");
    const action = String(req.headers["x-acs-action"] ?? "");
    const requestId = randomUUID().toUpperCase();
    const signature = verify(req, url, body, accessKeyId, accessKeySecret);
    calls.push({ action, ok: signature === null, outId: url.searchParams.get("OutId") });
    if (signature !== null) {
      return answer(res, 400, {
        RequestId: requestId,
        Code: "SignatureDoesNotMatch",
        Message: `Specified signature is not matched with our calculation. ${signature}`,
      });
    }
    if (req.headers["x-acs-version"] !== "2017-05-25") {
      return answer(res, 400, { RequestId: requestId, Code: "InvalidVersion", Message: "version" });
    }
    const q = url.searchParams;
    if (action === "SendSms") {
      const hang = hangs.shift();
      const sms = (): SentSms => ({
        phone: q.get("PhoneNumbers") ?? "",
        signName: q.get("SignName") ?? "",
        templateCode: q.get("TemplateCode") ?? "",
        params: JSON.parse(q.get("TemplateParam") ?? "{}") as Record<string, string>,
        outId: q.get("OutId") ?? "",
        bizId: `${Date.now()}^${Math.floor(Math.random() * 1e10)}`,
        at: Date.now(),
      });
      if (hang) {
        if (hang.record) sent.push(sms());
        hanging.add(res); // never answered: the caller's read timeout fires
        return;
      }
      if (!/^1\d{10}$|^\d{8,15}$/.test(q.get("PhoneNumbers") ?? "")) {
        return answer(res, 200, {
          RequestId: requestId,
          Code: "isv.MOBILE_NUMBER_ILLEGAL",
          Message: "非法手机号",
        });
      }
      const s = sms();
      sent.push(s);
      return answer(res, 200, { RequestId: requestId, Code: "OK", Message: "OK", BizId: s.bizId });
    }
    if (action === "QuerySendDetails") {
      const phone = q.get("PhoneNumber");
      const day = q.get("SendDate");
      const pageSize = Number(q.get("PageSize") ?? 10);
      const page = Number(q.get("CurrentPage") ?? 1);
      const matching = sent.filter(
        (s) =>
          s.phone === phone &&
          DateTime.fromMillis(s.at, { zone: CHINA }).toFormat("yyyyLLdd") === day,
      );
      const records = matching.slice((page - 1) * pageSize, page * pageSize).map((s) => ({
        PhoneNum: s.phone,
        SendStatus: 3,
        ErrCode: "DELIVERED",
        TemplateCode: s.templateCode,
        Content: `【${s.signName}】…`,
        SendDate: DateTime.fromMillis(s.at, { zone: CHINA }).toFormat("yyyy-LL-dd HH:mm:ss"),
        ReceiveDate: DateTime.fromMillis(s.at, { zone: CHINA }).toFormat("yyyy-LL-dd HH:mm:ss"),
        OutId: s.outId,
      }));
      return answer(res, 200, {
        RequestId: requestId,
        Code: "OK",
        Message: "OK",
        TotalCount: String(matching.length),
        SmsSendDetailDTOs: { SmsSendDetailDTO: records },
      });
    }
    return answer(res, 404, {
      RequestId: requestId,
      Code: "InvalidAction.NotFound",
      Message: action,
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      answer(res, 500, { Code: "InternalError", Message: String(err) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    accessKeySecret,
    sent,
    calls,
    hang(count, o) {
      hangs = [...hangs, ...Array.from({ length: count }, () => o)];
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** RFC 3986 encoding as ACS3 canonicalises query values. */
function percent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * ACS3-HMAC-SHA256, recomputed from the request as received: the canonical request (method,
 * path, sorted query, the signed headers, the body's SHA-256), hashed, HMAC'd with the secret.
 * Returns null when it matches, else what did not.
 */
function verify(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  accessKeyId: string,
  secret: string,
): string | null {
  const auth = String(req.headers.authorization ?? "");
  const m =
    /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
  if (!m) return "no ACS3-HMAC-SHA256 Authorization header";
  const [, credential, signedHeaders, signature] = m;
  if (credential !== accessKeyId) return "unknown AccessKeyId";
  const payloadHash = createHash("sha256").update(body).digest("hex");
  if (req.headers["x-acs-content-sha256"] !== payloadHash) return "x-acs-content-sha256 mismatch";
  const names = (signedHeaders ?? "").split(";");
  for (const required of ["host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"]) {
    if (!names.includes(required)) return `${required} not signed`;
  }
  const keys = [...new Set(url.searchParams.keys())].sort();
  const query = keys.map((k) => `${k}=${percent(url.searchParams.get(k) ?? "")}`).join("&");
  const headers = names.map((n) => `${n}:${String(req.headers[n] ?? "").trim()}\n`).join("");
  const canonical = [req.method, url.pathname, query, headers, names.join(";"), payloadHash].join(
    "\n",
  );
  const toSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`;
  const expected = createHmac("sha256", secret).update(toSign).digest();
  const given = Buffer.from(signature ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : "signature";
}
