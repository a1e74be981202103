import { createECDH, createPublicKey, type ECDH, randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { createServer } from "node:https";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * A web-push service on a loopback HTTPS port (RFC 8030's push resource), and a browser's side
 * of a subscription: its P-256 key pair and auth secret, so a test can decrypt what the server
 * pushed (RFC 8291, aes128gcm, with `http_ece` — the package web-push itself encrypts with) and
 * check the VAPID JWT (RFC 8292) against the public key. The certificate is self-signed for
 * 127.0.0.1 (tests/helpers/push-tls, valid a century); the provider is given it as its CA.
 */

const TLS_DIR = join(import.meta.dirname, "push-tls");
export const PUSH_CA = readFileSync(join(TLS_DIR, "cert.pem"));

type Ece = {
  decrypt(
    buffer: Buffer,
    params: { version: "aes128gcm"; privateKey: ECDH; authSecret: string },
  ): Buffer;
};
const ece = createRequire(import.meta.url)("http_ece") as Ece;

export type PushRequest = { path: string; headers: IncomingHttpHeaders; body: Buffer };

export async function startPushService() {
  const received: PushRequest[] = [];
  /** Per path: statuses to answer before the default 201, in order; 0 never answers. */
  const plans = new Map<string, number[]>();
  const server = createServer(
    { key: readFileSync(join(TLS_DIR, "key.pem")), cert: PUSH_CA },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "";
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
        const status = plans.get(path)?.shift() ?? 201;
        if (status === 0) return;
        const headers: Record<string, string> =
          status === 201 ? { location: `https://127.0.0.1/m/${received.length}` } : {};
        if (status === 429) headers["retry-after"] = "1";
        res.writeHead(status, headers);
        res.end(status === 201 ? "" : `{"reason":"status ${status}"}`);
      });
    },
  );
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    received,
    plans,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/** What a browser keeps of its subscription, and what it hands the site. */
export function newSubscriber(endpoint: string) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16).toString("base64url");
  return {
    ecdh,
    auth,
    json: {
      endpoint,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth },
    },
    /** The push message's plaintext, as the browser's push service worker gets it. */
    decrypt(body: Buffer): unknown {
      const plain = ece.decrypt(body, { version: "aes128gcm", privateKey: ecdh, authSecret: auth });
      return JSON.parse(plain.toString("utf8"));
    },
  };
}

/**
 * Checks `Authorization: vapid t=<JWT>, k=<public key>`: the key is the one configured, the
 * ES256 signature verifies with it, and the claims name the endpoint's origin, a subject and
 * an expiry within 24 hours (RFC 8292 §2). Returns the claims.
 */
export function verifyVapid(
  authorization: string | undefined,
  publicKey: string,
  origin: string,
  nowSeconds: number,
): { aud: string; exp: number; sub: string } {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!m?.[1] || !m[2]) throw new Error(`not a vapid Authorization header: ${authorization}`);
  if (m[2] !== publicKey) throw new Error("the header's k= is not the configured public key");
  const [head, claims, signature] = m[1].split(".");
  if (!head || !claims || !signature) throw new Error("JWT is not three parts");
  const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg: string };
  if (header.alg !== "ES256") throw new Error(`JWT alg ${header.alg}, not ES256`);
  const raw = Buffer.from(publicKey, "base64url");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const ok = verify(
    "sha256",
    Buffer.from(`${head}.${claims}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!ok) throw new Error("VAPID JWT signature does not verify with the public key");
  const c = JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as {
    aud: string;
    exp: number;
    sub: string;
  };
  if (c.aud !== origin) throw new Error(`JWT aud ${c.aud}, not ${origin}`);
  if (!(c.exp > nowSeconds && c.exp <= nowSeconds + 24 * 3600)) {
    throw new Error(`JWT exp ${c.exp} not within 24 h of ${nowSeconds}`);
  }
  return c;
}
