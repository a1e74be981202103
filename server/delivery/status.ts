import { assertNever } from "../../engine/shared/assert-never.ts";
import { MESSAGE_STATUSES } from "../api/contacts.ts";

/**
 * The one rule for how a message's status may move. `queued` and `sending` belong to delivery
 * (a retry moves `sending` back to `queued` under the lease, which is not a status a user or a
 * provider reports); from `sent` on, statuses only move up in rank, so a late or reordered
 * callback ("sent" arriving after "delivered") can never make a message look less delivered.
 * The terminal statuses share a rank: the first terminal report wins. The statuses themselves are
 * the API's (server/api/contacts.ts), so a new one is ranked here or fails to compile.
 */
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  canceled: 3,
};

/**
 * The same table as a SQL expression, so the database applies the rule inside the guarded
 * UPDATE (no read-then-write race between two callbacks). Generated from STATUS_RANK so the
 * two can never disagree; `column` is a trusted identifier from our own SQL modules.
 */
export function statusRankSql(column: string): string {
  const arms = MESSAGE_STATUSES.map((s) => `when '${s}' then ${STATUS_RANK[s]}`).join(" ");
  return `(case ${column} ${arms} end)`;
}

/** The statuses a provider can report about a message it accepted. */
export type ReportedStatus = "sent" | "delivered" | "undelivered" | "failed";

/** The event a report is recorded as, so journeys waiting on delivery wake; null for none. */
export function eventForStatus(
  status: ReportedStatus,
): "message.delivered" | "message.failed" | null {
  switch (status) {
    case "sent":
      return null;
    case "delivered":
      return "message.delivered";
    case "undelivered":
    case "failed":
      return "message.failed";
    default:
      return assertNever(status);
  }
}

/**
 * Twilio's MessageStatus values mapped onto ours. `accepted`, `scheduled`, `queued` and
 * `sending` mean Twilio holds the message: for us that is `sent` (handed over). `read`
 * (WhatsApp/RCS) implies delivered. Inbound-only values map to null and are ignored.
 */
export function fromTwilioStatus(status: string): ReportedStatus | null {
  switch (status) {
    case "accepted":
    case "scheduled":
    case "queued":
    case "sending":
    case "sent":
      return "sent";
    case "delivered":
    case "read":
      return "delivered";
    case "undelivered":
      return "undelivered";
    case "failed":
    case "canceled":
      return "failed";
    default:
      return null;
  }
}
