import type { NextFunction, Request, Response } from "express";
import { HttpError } from "./errors.ts";

/**
 * Token buckets in memory, per key (an IP, an email, a write key). Per process on purpose:
 * the limits protect this process and the database behind it from one noisy client; they are
 * not a billing quota. Idle buckets are dropped so the map stays small.
 */
export function rateLimit(options: {
  /** Sustained requests per second. */
  perSecond: number;
  /** Bucket size: how many may arrive at once. */
  burst: number;
  key: (req: Request) => string;
  code?: string;
  now?: () => number;
}) {
  const now = options.now ?? (() => Date.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweepAt = now();
  return (req: Request, res: Response, next: NextFunction) => {
    const t = now();
    if (t - sweepAt > 60_000) {
      for (const [k, b] of buckets) if (t - b.at > 60_000) buckets.delete(k);
      sweepAt = t;
    }
    const key = options.key(req);
    const bucket = buckets.get(key) ?? { tokens: options.burst, at: t };
    bucket.tokens = Math.min(
      options.burst,
      bucket.tokens + ((t - bucket.at) / 1000) * options.perSecond,
    );
    bucket.at = t;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retry = Math.ceil((1 - bucket.tokens) / options.perSecond);
      res.setHeader("Retry-After", String(Math.max(1, retry)));
      throw new HttpError(
        429,
        options.code ?? "rate_limited",
        `too many requests; retry in ${Math.max(1, retry)} s`,
      );
    }
    bucket.tokens -= 1;
    next();
  };
}
