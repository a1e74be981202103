import type { Knex } from "knex";

/*
 * Anonymous profiles (issue 13): Segment calls that carry only an `anonymousId` (a browser
 * cookie, an app install) before the user signs in.
 *
 * An anonymous profile is deliberately not a contact. Nothing that sends — enrollment by event,
 * audience or date, the ticker, test sends — reads these tables, so an anonymous profile can
 * never be messaged: not by a suppression rule someone has to remember, by construction. When a
 * call names both ids (identify or any call with `userId` and `anonymousId`, or `alias` with
 * `previousId`), the profile is merged into the user's contact: its traits fill what the contact
 * lacks, and its events move to the contact as new rows, so they trigger journeys and answer the
 * branches of enrollments waiting on the user exactly as if they had just arrived
 * (server/ingest/apply.ts). Customer.io documents the same model.
 *
 * anonymous_ids: one row per anonymous id ever seen. `contact_id` is set once, at the merge, and
 * never changes (the first user wins: a shared device does not move one person's history to
 * another); later calls with that anonymous id alone go straight to the contact. `profile`
 * holds traits, consent and groups set while anonymous (the shape of ContactUpdate, phone
 * already encrypted) until the merge consumes it. Every ingest transaction that touches an
 * anonymous id locks its row first, in anonymous_id order, so a merge and an anonymous event for
 * the same id serialize: the event lands either in anonymous_events before the merge moves them,
 * or on the contact after it — never in anonymous_events after the move.
 *
 * anonymous_events: events of profiles not merged yet, deduplicated by (anonymous_id,
 * message_id) as `events` is by (contact_id, message_id). Profiles never merged are dropped 30
 * days after they were last seen (server/ingest/sql/anonymous.ts), as Customer.io does.
 */
const statements = [
  `create table anonymous_ids (
     anonymous_id text primary key,
     contact_id bigint references contacts (id) on delete cascade,
     profile jsonb not null default '{}'::jsonb,
     created_at timestamptz not null,
     seen_at timestamptz not null,
     merged_at timestamptz
   )`,
  `create index anonymous_ids_contact_idx on anonymous_ids (contact_id) where contact_id is not null`,
  `create index anonymous_ids_unmerged_idx on anonymous_ids (seen_at) where contact_id is null`,
  `create table anonymous_events (
     id bigint generated always as identity primary key,
     anonymous_id text not null references anonymous_ids (anonymous_id) on delete cascade,
     message_id text not null,
     name text not null,
     properties jsonb not null default '{}'::jsonb,
     occurred_at timestamptz not null,
     received_at timestamptz not null,
     unique (anonymous_id, message_id)
   )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table if exists anonymous_events");
  await knex.raw("drop table if exists anonymous_ids");
}
