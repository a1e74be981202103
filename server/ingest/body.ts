import express, { type Request } from "express";

/**
 * The body of an ingest request, as the SDKs send it: JSON whatever the Content-Type says
 * (rudder-sdk-node sends a gzipped JSON body as `application/x-www-form-urlencoded`; analytics.js
 * uses `text/plain` to avoid a CORS preflight), gzip/deflate/br per Content-Encoding.
 *
 * The limit applies to the decompressed body (body-parser counts the inflated stream and stops
 * at the limit), so a zip bomb is a 413 after 512 KB, not an out-of-memory. 512 KB leaves room
 * over Segment's 500 KB batch limit, which both SDKs stay under.
 */
export const INGEST_BODY_LIMIT = 512 * 1024;

const raw = new WeakMap<Request, Buffer>();

export const ingestBody = express.json({
  type: () => true,
  limit: INGEST_BODY_LIMIT,
  verify: (req, _res, buf) => {
    raw.set(req as Request, buf);
  },
});

/** The decompressed body's bytes, for a cheap scan before walking the parsed value. */
export function rawBody(req: Request): Buffer | undefined {
  return raw.get(req);
}
