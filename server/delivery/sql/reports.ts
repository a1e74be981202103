import type { Knex } from "knex";
import { type ReportedStatus, STATUS_RANK, statusRankSql } from "../status.ts";
import type { OutcomeRow } from "./outcome.ts";

/*
 * Provider reports (status callbacks) about messages already handed over.
 *
 * Why the rank comparison sits in the WHERE clause: two callbacks for one message can be
 * handled at once, in any order (Twilio does not promise order). Comparing the stored rank with
 * the reported one inside the UPDATE makes the database serialize them on the row lock, so the
 * lower report loses whatever the timing; a read-then-write in TypeScript could not promise
 * that. A report that changes nothing returns no row, and so records no event.
 *
 * The message is found by our id when the callback URL carries it (it can arrive before the
 * API answer that told us the sid), else by (provider, provider_message_id) on
 * messages_provider_idx. A report may also overtake the worker's own `sent`: it then clears the
 * lease, and the worker's guarded update finds nothing to do. A report is also how a message
 * whose outcome we did not know is settled without a lookup: the provider says it has it, so
 * it is no longer in doubt (outcome_unknown_since cleared) and is never sent again.
 */
export async function applyStatusReport(
  trx: Knex | Knex.Transaction,
  report: {
    provider: string;
    providerMessageId: string;
    messageId: number | null;
    status: ReportedStatus;
    error: string | null;
    now: Date;
  },
): Promise<OutcomeRow | null> {
  const { now, status } = report;
  const lookup =
    report.messageId === null
      ? "provider = ? and provider_message_id = ?"
      : "id = ? and (provider_message_id is null or provider_message_id = ?)";
  const lookupBindings =
    report.messageId === null
      ? [report.provider, report.providerMessageId]
      : [report.messageId, report.providerMessageId];
  const { rows } = (await trx.raw(
    `update messages
        set status = ?,
            provider = coalesce(provider, ?),
            provider_message_id = coalesce(provider_message_id, ?),
            sent_at = coalesce(sent_at, ?),
            delivered_at = case when ?::text = 'delivered' then coalesce(delivered_at, ?) else delivered_at end,
            last_error = coalesce(?, last_error), outcome_unknown_since = null,
            locked_by = null, locked_until = null, updated_at = ?
      where ${lookup}
        and ${statusRankSql("status")} < ?
      returning id, contact_id, journey_id, node_id, status`,
    [
      status,
      report.provider,
      report.providerMessageId,
      now,
      status,
      now,
      report.error,
      now,
      ...lookupBindings,
      STATUS_RANK[status],
    ],
  )) as { rows: OutcomeRow[] };
  return rows[0] ?? null;
}
