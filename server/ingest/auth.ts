import type { Request, Response } from "express";
import type { Knex } from "knex";
import { credentialsEnded } from "../auth/ended.ts";
import { HttpError } from "../http/errors.ts";
import { tokenBuckets, tooManyRequests } from "../http/rate-limit.ts";
import { hashKey, verifyApiKey } from "../keys/api-keys.ts";

/**
 * Write-key authentication and rate limiting for ingest, before the body is read.
 *
 * The key is the HTTP Basic username (Segment's convention; both SDKs send it) or a Bearer
 * token. Verified keys are cached for KEY_TTL_MS by their hash, so an SDK flushing every few
 * milliseconds costs no key lookup per request; a key revoked in this process is dropped from
 * the cache at once (credentialsEnded), one revoked in another process within KEY_TTL_MS.
 *
 * Buckets are keyed by the resolved key's id, never by the raw header: anything that is not a
 * valid key — no header, a malformed one, a key unknown or revoked — draws from one shared
 * bucket, which also bounds the database lookups unknown keys can cause. A flood of garbage
 * headers then costs a 401 (or 429) each and no memory.
 */

export const KEY_TTL_MS = 5000;
const MAX_CACHED = 1000;
/** A write key: `wk_` and 32 base64url characters (server/keys/api-keys.ts). */
const KEY_SHAPE = /^wk_[A-Za-z0-9_-]{16,64}$/;
const INVALID = "invalid";

export interface IngestAuthOptions {
  knex: Knex;
  /** Sustained requests/s per write key (burst twice that). */
  perSecond: number;
  /** Sustained requests/s of everything that is not a valid key, together. */
  invalidPerSecond?: number;
  now?: () => number;
}

export function writeKeyFrom(header: string | undefined): string | null {
  // A write key's header is under 64 characters; anything much longer is not one.
  if (!header || header.length > 512) return null;
  const space = header.indexOf(" ");
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === "basic" && value) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return (colon < 0 ? decoded : decoded.slice(0, colon)) || null;
  }
  if (scheme === "bearer" && value) return value;
  return null;
}

export function ingestAuth(options: IngestAuthOptions) {
  const now = options.now ?? (() => Date.now());
  const perKey = tokenBuckets({
    perSecond: options.perSecond,
    burst: options.perSecond * 2,
    now,
  });
  const invalidRate = options.invalidPerSecond ?? 20;
  const invalid = tokenBuckets({ perSecond: invalidRate, burst: invalidRate * 2, now });
  /** key hash → key id and when it was verified. */
  const known = new Map<string, { id: number; at: number }>();
  /** key hash → when it was found unknown. */
  const unknown = new Map<string, number>();
  const lookups = new Map<string, Promise<number | null>>();
  credentialsEnded.listen((ended) => {
    if (ended.kind !== "key") return;
    for (const [hash, entry] of known) if (entry.id === ended.key) known.delete(hash);
  });

  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key);
    if (map.size >= MAX_CACHED) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(key, value);
  };

  const refuse = (res: Response, code: string, message: string): never => {
    const wait = invalid.take(INVALID);
    if (wait !== null) tooManyRequests(res, wait);
    throw new HttpError(401, code, message);
  };

  const lookup = (key: string, hash: string): Promise<number | null> => {
    let pending = lookups.get(hash);
    if (!pending) {
      pending = verifyApiKey(options.knex, key, "write")
        .then((row) => {
          const t = now();
          if (row) remember(known, hash, { id: row.id, at: t });
          else {
            known.delete(hash);
            remember(unknown, hash, t);
          }
          return row?.id ?? null;
        })
        .finally(() => lookups.delete(hash));
      lookups.set(hash, pending);
    }
    return pending;
  };

  /** The write key's id; throws 401 (or 429) otherwise. */
  return async (req: Request, res: Response): Promise<number> => {
    const key = writeKeyFrom(req.headers.authorization);
    if (key === null) {
      return refuse(res, "unauthenticated", "send the write key as the HTTP Basic username");
    }
    if (!KEY_SHAPE.test(key)) return refuse(res, "invalid_key", "unknown or revoked write key");
    const hash = hashKey(key);
    const t = now();
    let id: number | null = null;
    const hit = known.get(hash);
    if (hit && t - hit.at < KEY_TTL_MS) id = hit.id;
    else if (hit) id = await lookup(key, hash);
    else {
      const missAt = unknown.get(hash);
      if (missAt !== undefined && t - missAt < KEY_TTL_MS) {
        return refuse(res, "invalid_key", "unknown or revoked write key");
      }
      // A lookup for a key never seen is paid from the shared bucket: random keys cannot turn
      // into one database query each.
      const wait = invalid.take(INVALID);
      if (wait !== null) tooManyRequests(res, wait);
      id = await lookup(key, hash);
    }
    if (id === null) return refuse(res, "invalid_key", "unknown or revoked write key");
    const wait = perKey.take(`key:${id}`);
    if (wait !== null) tooManyRequests(res, wait);
    return id;
  };
}
