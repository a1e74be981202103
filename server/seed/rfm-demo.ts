import type { Knex } from "knex";
import type { MessageSpec } from "../../engine/sms/compose.ts";
import { refreshRfm } from "../audiences/rfm-refresh.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import {
  DAY,
  draw,
  people,
  RFM_DEMO_PREFIX,
  type SeedSpecs,
  sendTimeTest,
  winBack,
} from "./rfm-demo-data.ts";

/**
 * The RFM demo: 10,000 contacts across five zones with two years of purchases (loyal, regular,
 * recently lapsed, long dormant, one-time and never-bought profiles), and past results for the
 * win-back journey (two coupons, deliveries, clicks, purchases after the send) and for the
 * send-time A/B test (three arms), so the RFM grid, audiences and results look real on first
 * start. Everything is relative to `now` and drawn from one seeded PRNG: the same `now` gives
 * the same rows.
 *
 * Set-based: rows are built in JS and inserted with jsonb_to_recordset in chunks (one statement
 * per 5,000 rows), which keeps PGlite to a few seconds for ~70,000 rows.
 */
export interface RfmDemoOptions {
  contacts: number;
  now: Date;
  seed?: number;
}

export interface RfmDemoResult {
  contacts: number;
  events: number;
  messages: number;
  ms: number;
}

async function chunked(
  rows: readonly unknown[],
  size: number,
  fn: (chunk: string) => Promise<void>,
) {
  for (let i = 0; i < rows.length; i += size) await fn(JSON.stringify(rows.slice(i, i + size)));
}

export async function seedRfmDemo(
  knex: Knex,
  crypto: FieldCrypto,
  options: RfmDemoOptions,
): Promise<RfmDemoResult> {
  const started = performance.now();
  const now = options.now.getTime();
  const exists = await knex("contacts").where("external_id", `${RFM_DEMO_PREFIX}00001`).first("id");
  if (exists) return { contacts: 0, events: 0, messages: 0, ms: 0 };
  const d = draw(options.seed ?? 7);
  const persons = people(options.contacts, now, crypto, d);
  const specs = await sendSpecs(knex, ["win-back", "send-time-ab"]);
  const win = winBack(persons, now, d, specs);
  const ab = sendTimeTest(persons, now, d, specs);
  const result = await knex.transaction(async (trx) => {
    const ids = new Map<string, number>();
    // Attributes are computed after the campaigns added their purchases, so they agree with
    // the events (the win-back journey's condition reads orderCount).
    const contactRows = persons.map((p) => {
      const sorted = p.purchases.sort((a, b) => a.at - b.at);
      const last = sorted.at(-1);
      const { region, topItem, birthday, ...row } = p.row;
      return {
        ...row,
        attributes: {
          firstName: p.firstName,
          region,
          topItem,
          birthday,
          orderCount: sorted.length,
          totalSpent: Math.round(sorted.reduce((s, x) => s + x.amount, 0) * 100) / 100,
          lastPurchaseAt: last ? new Date(last.at).toISOString() : null,
        },
      };
    });
    await chunked(contactRows, 5000, async (json) => {
      const { rows } = (await trx.raw(
        `insert into contacts (external_id, email, phone_encrypted, phone_hash, phone_country, timezone, locale, attributes, consent, created_at)
         select x.external_id, x.email, x.phone_encrypted, x.phone_hash, x.phone_country, x.timezone, x.locale, x.attributes, x.consent, ?
           from jsonb_to_recordset(?::jsonb) as x(external_id text, email text, phone_encrypted text, phone_hash text,
                phone_country text, timezone text, locale text, attributes jsonb, consent jsonb)
         returning id, external_id`,
        [new Date(now - 730 * DAY), json],
      )) as { rows: { id: string | number; external_id: string }[] };
      for (const r of rows) ids.set(r.external_id, Number(r.id));
    });
    const events = persons.flatMap((p) =>
      p.purchases.map((x, k) => ({
        contact_id: ids.get(p.externalId),
        message_id: `seed-${p.externalId}-${k}`,
        properties: { amount: x.amount, item: x.item, currency: "CNY" },
        occurred_at: new Date(x.at).toISOString(),
      })),
    );
    await chunked(events, 5000, async (json) => {
      await trx.raw(
        `insert into events (contact_id, message_id, name, properties, occurred_at, received_at)
         select x.contact_id, x.message_id, 'purchased', x.properties, x.occurred_at, x.occurred_at
           from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, message_id text, properties jsonb, occurred_at timestamptz)`,
        [json],
      );
    });
    const enrollmentOf = await abEnrollments(trx, ab.assigned, ids, now);
    const messages = [...win, ...ab.messages].map((m) => ({
      ...m,
      contact_id: ids.get(m.contact),
      enrollment_id: m.journey === "send-time-ab" ? (enrollmentOf.get(m.contact) ?? null) : null,
    }));
    await chunked(messages, 5000, async (json) => {
      await trx.raw(
        `insert into messages (idempotency_key, contact_id, enrollment_id, journey_id, node_id, channel, category, body, encoding, parts,
                               status, provider, attempts, is_test, created_at, next_attempt_at, sent_at, delivered_at, clicked_at, updated_at)
         select x.key, x.contact_id, x.enrollment_id, x.journey, x.node, 'sms', 'promotional', x.body, x.encoding, x.parts,
                x.status, 'console', 1, false, x.sent_at, x.sent_at, x.sent_at, x.delivered_at, x.clicked_at, coalesce(x.clicked_at, x.sent_at)
           from jsonb_to_recordset(?::jsonb) as x(key text, contact_id bigint, enrollment_id bigint, journey text, node text,
                body text, encoding text, parts integer, status text, sent_at timestamptz, delivered_at timestamptz, clicked_at timestamptz)`,
        [json],
      );
    });
    return {
      contacts: persons.length,
      events: events.length,
      messages: messages.length,
      ms: 0,
    };
  });
  // Score the new purchases now rather than on the first grid request or scanner run.
  await refreshRfm(knex, options.now);
  return { ...result, ms: Math.round(performance.now() - started) };
}

/**
 * The SMS send nodes of the seeded journeys (their drafts: the demo seeds them unpublished), by
 * `journey:node`, so the past messages are what those nodes send. Empty for a journey that was
 * not seeded; the data module falls back to its own text then.
 */
async function sendSpecs(knex: Knex, journeys: string[]): Promise<SeedSpecs> {
  const rows = (await knex("journey_versions")
    .whereIn("journey_id", journeys)
    .where({ is_draft: true })
    .select("journey_id", "definition")) as {
    journey_id: string;
    definition: { nodes?: { id: string; type: string; send?: MessageSpec }[] };
  }[];
  const out = new Map<string, MessageSpec>();
  for (const r of rows)
    for (const n of r.definition.nodes ?? [])
      if (n.type === "send" && n.send?.channel === "sms")
        out.set(`${r.journey_id}:${n.id}`, n.send);
  return out;
}

/**
 * The A/B arms need enrollments (results join an arm's messages through enrollment_id): one
 * completed enrollment per assigned contact on the version the test ran as, and its
 * `branched` log row. Skipped when the example journey was not seeded.
 */
async function abEnrollments(
  trx: Knex.Transaction,
  assigned: { contact: string; arm: string; at: number }[],
  ids: Map<string, number>,
  now: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const byId = new Map([...ids].map(([ext, id]) => [id, ext]));
  const firstAt = Math.min(...assigned.map((a) => a.at));
  const version = assigned.length === 0 ? undefined : await ranVersion(trx, firstAt, now);
  if (!version) return out;
  const rows = assigned.map((a) => ({
    contact_id: ids.get(a.contact),
    arm: a.arm,
    at: new Date(a.at).toISOString(),
    ended: new Date(Math.min(now, a.at + 8 * DAY)).toISOString(),
  }));
  await chunked(rows, 5000, async (json) => {
    const { rows: inserted } = (await trx.raw(
      `with x as (select * from jsonb_to_recordset(?::jsonb) as x(contact_id bigint, arm text, at timestamptz, ended timestamptz)),
       e as (
         insert into enrollments (contact_id, journey_id, version_id, status, current_node, entered_at, updated_at, ended_at, exit_reason)
         select x.contact_id, 'send-time-ab', ?, 'completed', 'done', x.at, x.ended, x.ended, 'exit_node' from x
         returning id, contact_id),
       l as (
         insert into enrollment_log (contact_id, enrollment_id, journey_id, version_id, node_id, type, detail, data, at)
         select e.contact_id, e.id, 'send-time-ab', ?, 'split', 'branched', 'arm ' || x.arm, jsonb_build_object('path', x.arm), x.at
           from e join x on x.contact_id = e.contact_id
         returning 1)
       select e.id, e.contact_id from e`,
      [json, Number(version.id), Number(version.id)],
    )) as { rows: { id: string | number; contact_id: string | number }[] };
    for (const r of inserted) {
      const ext = byId.get(Number(r.contact_id));
      if (ext) out.set(ext, Number(r.id));
    }
  });
  return out;
}

/**
 * The version the seeded send-time test ran as. Enrollments must name a published version: the
 * contact page draws an enrollment from `/versions/:n`, which a draft row has not (the inspector
 * said "Cannot draw v…" for every seeded A/B contact). So the demo's history is what a real one
 * would be: the draft published as v1 when the test started, and the journey paused now that
 * the test is over (a marketer resumes or edits it; nothing runs until they do).
 */
async function ranVersion(
  trx: Knex.Transaction,
  firstAt: number,
  now: number,
): Promise<{ id: string | number } | undefined> {
  const published = (await trx("journey_versions")
    .where({ journey_id: "send-time-ab", is_draft: false })
    .orderBy("version")
    .first("id")) as { id: string | number } | undefined;
  if (published) return published;
  const draft = (await trx("journey_versions")
    .where({ journey_id: "send-time-ab", is_draft: true })
    .first("definition")) as { definition: unknown } | undefined;
  if (!draft) return undefined;
  const [row] = (await trx("journey_versions")
    .insert({
      journey_id: "send-time-ab",
      version: 1,
      is_draft: false,
      definition: JSON.stringify(draft.definition),
      published_at: new Date(firstAt),
      note: "Demo history: the send-time test as it ran",
      in_flight: "pin",
      published_by_name: "demo seed",
    })
    .returning("id")) as { id: string | number }[];
  if (!row) return undefined;
  await trx("journeys")
    .where({ id: "send-time-ab" })
    .update({
      status: "paused",
      live_version_id: row.id,
      pause_entries: "skip",
      paused_at: new Date(now),
      updated_at: new Date(now),
    });
  return row;
}
