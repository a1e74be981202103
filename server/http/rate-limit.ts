import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { HttpError } from "./errors.ts";

/**
 * Token buckets in memory, per key (an IP, an email, a write key's id). Per process on purpose:
 * the limits protect this process and the database behind it from one noisy client; they are
 * not a billing quota.
 *
 * The map is bounded: keys come from outside (an email typed at the login form), and one
 * bucket per distinct key would let a client grow the process without limit (4,000 requests
 * with unique 15 KB Authorization headers once added 160 MB). Idle buckets are swept; when the
 * map is still full, new keys share one overflow bucket — a flood of fresh keys is limited as
 * one client instead of evicting the buckets of keys already being limited. Long keys are kept
 * as their hash, so a key costs a bounded amount of memory whatever its length.
 */
export interface BucketOptions {
  /** Sustained requests per second. */
  perSecond: number;
  /** Bucket size: how many may arrive at once. */
  burst: number;
  /** Distinct keys tracked at most (default 10,000). */
  maxKeys?: number;
  now?: () => number;
}

const IDLE_MS = 60_000;
const OVERFLOW = "\u0000overflow";

export function tokenBuckets(options: BucketOptions) {
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweptAt = now();
  const sweep = (t: number) => {
    for (const [k, b] of buckets) if (t - b.at > IDLE_MS) buckets.delete(k);
    sweptAt = t;
  };
  return {
    /** Takes one token for `key`: null when allowed, else the seconds to wait. */
    take(key: string): number | null {
      const t = now();
      if (t - sweptAt > IDLE_MS) sweep(t);
      let k = key.length > 128 ? createHash("sha256").update(key).digest("base64url") : key;
      if (!buckets.has(k) && buckets.size >= maxKeys) {
        // At most one sweep a second while full, so a flood cannot make every request pay one.
        if (t - sweptAt > 1000) sweep(t);
        if (buckets.size >= maxKeys) k = OVERFLOW;
      }
      const bucket = buckets.get(k) ?? { tokens: options.burst, at: t };
      bucket.tokens = Math.min(
        options.burst,
        bucket.tokens + ((t - bucket.at) / 1000) * options.perSecond,
      );
      bucket.at = t;
      buckets.set(k, bucket);
      if (bucket.tokens < 1) {
        return Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond));
      }
      bucket.tokens -= 1;
      return null;
    },
    size: () => buckets.size,
  };
}

/** Sets Retry-After and throws the 429 for a refused take. */
export function tooManyRequests(res: Response, retryAfter: number, code = "rate_limited"): never {
  res.setHeader("Retry-After", String(retryAfter));
  throw new HttpError(429, code, `too many requests; retry in ${retryAfter} s`);
}

export function rateLimit(
  options: BucketOptions & {
    key: (req: Request) => string;
    code?: string;
  },
) {
  const buckets = tokenBuckets(options);
  return (req: Request, res: Response, next: NextFunction) => {
    const wait = buckets.take(options.key(req));
    if (wait !== null) tooManyRequests(res, wait, options.code);
    next();
  };
}
