import { advance } from "../../engine/advance.ts";
import { type CompiledJourney, compile } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { defaultPolicy } from "../../engine/rules/policy.ts";
import type { EnrollmentSnapshot } from "../../engine/snapshot.ts";
import { BENCH_DUE, BENCH_JOURNEY } from "./fixture.ts";

/** One user step as a job queue carries it: everything the engine needs, in the payload. */
export interface StepJob {
  enrollmentId: number;
  contactId: number;
  versionId: number;
  snapshot: EnrollmentSnapshot;
  attributes: Record<string, unknown>;
}

export interface OutboxRow {
  idempotency_key: string;
  contact_id: number;
  enrollment_id: number;
  journey_id: string;
  node_id: string;
  channel: string;
  category: string;
  body: string;
  encoding: string | null;
  parts: number;
}

const policy = defaultPolicy({ workspaceTimezone: "UTC" });
const compiled = new Map<number, CompiledJourney>();

/**
 * The do-it-yourself baselines' step (pg-boss, graphile-worker): the same engine call the
 * ticker makes for the user, its send as an outbox row, and the next step as a new job. The
 * compiled journey is cached per version, as the ticker's is. `runAfter` is the next step's
 * time on the real clock (the bench's clock is frozen at BENCH_DUE, the queue's is not):
 * scheduling it at the engine's wakeAt, which lies in the past, would make every next step
 * due at once and have the queue churn through them while it is timed.
 */
export function baselineStep(d: StepJob): {
  messages: OutboxRow[];
  next: { data: StepJob; runAfter: Date } | null;
} {
  let journey = compiled.get(d.versionId);
  if (!journey) {
    journey = compile({
      versionId: String(d.versionId),
      journey: BENCH_JOURNEY as unknown as Journey,
    });
    compiled.set(d.versionId, journey);
  }
  const r = advance(
    journey,
    d.snapshot,
    {
      now: BENCH_DUE,
      policy,
      contact: {
        id: String(d.contactId),
        attributes: d.attributes,
        consent: { sms: { promotional: { granted: true } } },
        optOuts: [],
        recentSends: [],
        cooldowns: [],
        timezone: "Asia/Shanghai",
      },
    },
    { random: Math.random },
  );
  const messages: OutboxRow[] = [];
  for (const e of r.effects) {
    if (e.type !== "send") continue;
    messages.push({
      idempotency_key: e.idempotencyKey,
      contact_id: d.contactId,
      enrollment_id: d.enrollmentId,
      journey_id: "bench",
      node_id: e.nodeId,
      channel: e.channel,
      category: e.category,
      body: e.body,
      encoding: e.encoding,
      parts: e.parts,
    });
  }
  const next =
    r.status === "active" && r.wakeAt !== null
      ? {
          data: { ...d, snapshot: r.snapshot },
          runAfter: new Date(Date.now() + (r.wakeAt - BENCH_DUE)),
        }
      : null;
  return { messages, next };
}
