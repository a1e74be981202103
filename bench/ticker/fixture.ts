import type { Knex } from "knex";
import { advance } from "../../engine/advance.ts";
import { compile } from "../../engine/compile/compile.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { defaultPolicy } from "../../engine/rules/policy.ts";
import type { EnrollmentSnapshot } from "../../engine/snapshot.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";

/** 10:00 in Shanghai: inside the sending window, so no send is deferred by quiet hours. */
export const BENCH_NOW = Date.parse("2026-03-02T02:00:00Z");
/** When the measured pass runs: wait1 (PT1M) is over for everyone. */
export const BENCH_DUE = BENCH_NOW + 61_000;

export const BENCH_JOURNEY = {
  format: "waymark/journey@1",
  id: "bench",
  name: "Ticker benchmark",
  nodes: [
    { id: "start", type: "trigger", trigger: { kind: "api" } },
    { id: "wait1", type: "wait", wait: { kind: "duration", duration: "PT1M" } },
    {
      id: "sms",
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: "Hi {{ user.firstName }}, your coupon {{ user.coupon }} expires in 48h",
      },
    },
    { id: "wait2", type: "wait", wait: { kind: "duration", duration: "P1D" } },
    { id: "done", type: "exit" },
  ],
  edges: [
    { from: "start", to: "wait1" },
    { from: "wait1", to: "sms" },
    { from: "sms", to: "wait2" },
    { from: "wait2", to: "done" },
  ],
};

/** The snapshot every seeded user has: entered, waiting at wait1 (computed once by the engine). */
export function templateSnapshot(versionId: number): EnrollmentSnapshot {
  const compiled = compile({
    versionId: String(versionId),
    journey: BENCH_JOURNEY as unknown as Journey,
  });
  const r = advance(
    compiled,
    null,
    {
      now: BENCH_NOW,
      event: { name: "api.enroll", at: BENCH_NOW },
      enrollmentKey: "e0",
      policy: defaultPolicy({ workspaceTimezone: "UTC" }),
      contact: {
        id: "0",
        attributes: {},
        consent: {},
        optOuts: [],
        recentSends: [],
        cooldowns: [],
        timezone: "Asia/Shanghai",
      },
    },
    { random: () => 0.5 },
  );
  return r.snapshot;
}

/**
 * Seeds `users` contacts, each with an enrollment waiting at wait1 and due at BENCH_DUE, with a
 * handful of set-based statements: the template snapshot is cloned in SQL with each row's own
 * enrollment key, so a million users take seconds, not an engine pass.
 */
export async function seedBench(
  knex: Knex,
  users: number,
): Promise<{ versionId: number; template: EnrollmentSnapshot }> {
  await createJourney(knex, BENCH_JOURNEY, null);
  const published = await publishJourney(knex, "bench", null, new Date(BENCH_NOW));
  const versionId = Number(published.versionId);
  const template = templateSnapshot(versionId);
  const consent = JSON.stringify({
    sms: { promotional: { granted: true, source: "bench", at: new Date(BENCH_NOW).toISOString() } },
  });
  await knex.raw(
    `insert into contacts (external_id, timezone, locale, attributes, consent)
     select 'bench-' || g, 'Asia/Shanghai', 'en',
            jsonb_build_object('firstName', 'User' || g, 'coupon', 'C' || (g % 9973)), ?::jsonb
       from generate_series(1, ?) as g`,
    [consent, users],
  );
  await knex.raw(
    `insert into enrollments (contact_id, journey_id, version_id, current_node, snapshot, entered_at)
     select c.id, 'bench', ?, 'wait1', '{}'::jsonb, ? from contacts c where c.external_id like 'bench-%'`,
    [versionId, new Date(BENCH_NOW)],
  );
  await resetBench(knex, template);
  return { versionId, template };
}

/** Puts every benchmark user back at wait1, due, with no messages or log: the next run's start. */
export async function resetBench(knex: Knex, template: EnrollmentSnapshot): Promise<void> {
  await knex.raw(
    "truncate messages, push_deliveries, enrollment_steps, link_tokens, contact_cooldowns",
  );
  await knex.raw(
    `update enrollments
        set status = 'active', current_node = 'wait1', revision = 0, event_cursor = 0, waits_for = '{}',
            ended_at = null, exit_reason = null,
            snapshot = jsonb_set(jsonb_set(?::jsonb, '{context,key}', to_jsonb('e' || id)),
                                 '{context,contactId}', to_jsonb(contact_id::text))
      where journey_id = 'bench'`,
    [JSON.stringify(template)],
  );
  await knex.raw("truncate enrollment_wakeups");
  await knex.raw(
    `insert into enrollment_wakeups (enrollment_id, contact_id, wake_at)
     select id, contact_id, ? from enrollments where journey_id = 'bench'`,
    [new Date(BENCH_NOW + 60_000)],
  );
  await knex.raw("vacuum analyze enrollments, enrollment_wakeups, messages, enrollment_steps");
}
