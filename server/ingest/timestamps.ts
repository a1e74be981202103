import type { Problem } from "./hygiene.ts";

/**
 * When a call happened, by Segment's rules (segment.com/docs/connections/spec/common, "Timestamp
 * overview"):
 *  - `timestamp` set by the sender is trusted as is (server libraries set it; imports use it);
 *  - otherwise `originalTimestamp` is the device's clock, corrected for the device's skew with
 *    `sentAt` (the same clock, when the batch left) and our receive time:
 *    timestamp = receivedAt − (sentAt − originalTimestamp);
 *  - `originalTimestamp` without any `sentAt` is taken as is;
 *  - nothing at all: the receive time.
 * `sentAt` is the item's own, else the batch's.
 *
 * The result must fall between 1970 and a day after receipt; a year-0 or far-future date is an
 * item rejection naming the field, not a row the engine would compare against real time.
 */

const EARLIEST = Date.UTC(1970, 0, 1);
const FUTURE_SLACK_MS = 86_400_000;

export interface Stamps {
  timestamp?: string | null | undefined;
  originalTimestamp?: string | null | undefined;
  sentAt?: string | null | undefined;
}

export function eventTime(
  item: Stamps,
  batchSentAt: string | null | undefined,
  receivedAt: number,
): { at: number } | Problem {
  const latest = receivedAt + FUTURE_SLACK_MS;
  const check = (field: string, ms: number): Problem | null => {
    if (!Number.isFinite(ms) || ms < EARLIEST)
      return { field, message: "is before 1970-01-01 (not a real event time)" };
    if (ms > latest)
      return { field, message: "is more than a day in the future (check the sender's clock)" };
    return null;
  };
  if (item.timestamp) {
    const at = Date.parse(item.timestamp);
    return check("timestamp", at) ?? { at };
  }
  if (item.originalTimestamp) {
    const original = Date.parse(item.originalTimestamp);
    const bad = check("originalTimestamp", original);
    if (bad) return bad;
    const sentRaw = item.sentAt ?? batchSentAt;
    if (!sentRaw) return { at: original };
    const sent = Date.parse(sentRaw);
    const badSent = check(item.sentAt ? "sentAt" : "sentAt (batch)", sent);
    if (badSent) return badSent;
    const at = receivedAt - (sent - original);
    return check("originalTimestamp", at) ?? { at };
  }
  return { at: receivedAt };
}
