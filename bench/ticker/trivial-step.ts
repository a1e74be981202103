import type { ClaimedEnrollment } from "../../server/runtime/sql/claim.ts";
import type { BatchWrites, StepDeps } from "../../server/runtime/step-batch.ts";

/**
 * The SQL-only floor: the same rows the engine step would write (a snapshot of the same size,
 * a wake-up, two log rows, one outbox message per user) with no journey logic at all. The
 * ticker's users/s divided by this one's is the engine's share of the cost.
 */
export function trivialStep(claimed: ClaimedEnrollment[], deps: StepDeps): BatchWrites {
  const out: BatchWrites = {
    enrollments: [],
    wakeups: [],
    finished: [],
    log: [],
    messages: [],
    cooldowns: [],
    optOuts: [],
    conversions: [],
    attributes: [],
    moves: [],
  };
  const at = new Date(deps.now).toISOString();
  const wake = new Date(deps.now + 86_400_000).toISOString();
  for (const row of claimed) {
    const snapshot = row.snapshot;
    if (!snapshot) continue;
    const context = {
      ...snapshot.context,
      node: "wait2",
      wakeAt: deps.now + 86_400_000,
      at: deps.now,
    };
    out.enrollments.push({
      id: row.id,
      snapshot: { ...snapshot, state: "wait2", context },
      status: "active",
      current_node: "wait2",
      waits_for: [],
      event_cursor: row.eventCursor,
      ended_at: null,
      exit_reason: null,
    });
    out.wakeups.push({ enrollment_id: row.id, wake_at: wake });
    const base = {
      contact_id: row.contactId,
      enrollment_id: row.id,
      journey_id: row.journeyId,
      version_id: row.versionId,
      reason: null,
      at,
    };
    out.log.push({
      ...base,
      node_id: "sms",
      type: "sent",
      detail: "sent",
      data: { channel: "sms", parts: 1 },
    });
    out.log.push({
      ...base,
      node_id: "wait2",
      type: "waiting",
      detail: "waiting",
      data: { until: deps.now + 86_400_000 },
    });
    out.messages.push({
      idempotency_key: `e${row.id}:sms:1`,
      contact_id: row.contactId,
      enrollment_id: row.id,
      journey_id: row.journeyId,
      version_id: row.versionId,
      node_id: "sms",
      channel: "sms",
      category: "promotional",
      body: "Hi User, your coupon C123 expires in 48h\nReply STOP to opt out",
      encoding: "GSM-7",
      parts: 1,
      links: [],
    });
  }
  return out;
}
