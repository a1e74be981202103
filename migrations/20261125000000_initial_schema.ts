import type { Knex } from "knex";

/*
 * The whole schema, designed up front so later issues add columns rather than reshape tables.
 *
 * Terminology:
 *  - contact: one end user we message. Every hot-path table carries `contact_id` and its hot
 *    queries filter or join on it, so these tables can later be distributed by `contact_id`
 *    (Citus) without rewriting queries.
 *  - journey: a marketer's flow; journey_version: an immutable published definition (or the one
 *    mutable draft per journey).
 *  - enrollment: one contact's run through one journey version, holding the persisted XState
 *    snapshot. enrollment_wakeups: when the ticker must next look at it.
 *  - enrollment_log: the support timeline; messages: the outbox.
 *
 * Runs unchanged on PostgreSQL 15+ and on PGlite (PostgreSQL 18 in WASM): plain SQL, no
 * extensions, ids from identity columns.
 */

const statements = [
  `create table settings (
     key text primary key,
     value jsonb not null,
     updated_at timestamptz not null default now()
   )`,

  `create table operators (
     id bigint generated always as identity primary key,
     email text not null,
     name text not null default '',
     role text not null check (role in ('admin', 'marketer', 'support', 'engineer')),
     password_hash text not null,
     must_change_password boolean not null default false,
     created_at timestamptz not null default now(),
     last_login_at timestamptz,
     disabled_at timestamptz
   )`,
  `create unique index operators_email_key on operators (lower(email))`,

  // Session tokens are stored hashed: a leaked table cannot be replayed as cookies.
  `create table sessions (
     token_hash text primary key,
     operator_id bigint not null references operators (id) on delete cascade,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null
   )`,
  `create index sessions_operator_idx on sessions (operator_id)`,

  `create table api_keys (
     id bigint generated always as identity primary key,
     kind text not null check (kind in ('write', 'secret')),
     name text not null,
     prefix text not null,
     key_hash text not null unique,
     created_by bigint references operators (id) on delete set null,
     created_at timestamptz not null default now(),
     last_used_at timestamptz,
     revoked_at timestamptz
   )`,

  `create table journeys (
     id text primary key,
     name text not null,
     status text not null default 'draft' check (status in ('draft', 'live', 'paused', 'archived')),
     live_version_id bigint,
     created_by bigint references operators (id) on delete set null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     archived_at timestamptz
   )`,

  // Published versions never change (version is set, is_draft false); the draft is the single
  // row per journey with is_draft true, updated in place by the editor's autosave.
  `create table journey_versions (
     id bigint generated always as identity primary key,
     journey_id text not null references journeys (id) on delete cascade,
     version integer,
     is_draft boolean not null default false,
     definition jsonb not null,
     published_at timestamptz,
     published_by bigint references operators (id) on delete set null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     check ((is_draft and version is null) or (not is_draft and version is not null))
   )`,
  `create unique index journey_versions_draft_key on journey_versions (journey_id) where is_draft`,
  `create unique index journey_versions_version_key on journey_versions (journey_id, version)
     where not is_draft`,
  `alter table journeys add constraint journeys_live_version_fk
     foreign key (live_version_id) references journey_versions (id)`,

  // Phone numbers are never stored in clear: AES-256-GCM ciphertext plus an HMAC blind index
  // (phone_hash) for exact lookups. consent: {channel: {category: {granted, source, at}}}.
  `create table contacts (
     id bigint generated always as identity primary key,
     external_id text not null unique,
     email text,
     phone_encrypted text,
     phone_hash text,
     phone_country text,
     timezone text,
     locale text,
     attributes jsonb not null default '{}'::jsonb,
     consent jsonb not null default '{}'::jsonb,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index contacts_phone_hash_idx on contacts (phone_hash) where phone_hash is not null`,
  `create index contacts_email_idx on contacts (lower(email)) where email is not null`,

  // Unique per (contact, message_id): ingest resolves the contact first, and a unique key that
  // includes contact_id stays valid once the table is distributed by contact.
  `create table events (
     id bigint generated always as identity primary key,
     contact_id bigint not null references contacts (id) on delete cascade,
     message_id text not null,
     name text not null,
     properties jsonb not null default '{}'::jsonb,
     occurred_at timestamptz not null,
     received_at timestamptz not null default now(),
     unique (contact_id, message_id)
   )`,
  `create index events_contact_name_idx on events (contact_id, name, occurred_at desc)`,
  `create index events_contact_id_idx on events (contact_id, id)`,
  `create index events_name_time_idx on events (name, occurred_at)`,

  // Opt-outs and manual suppressions, kept as history: revoking sets revoked_at, never deletes.
  `create table suppressions (
     id bigint generated always as identity primary key,
     contact_id bigint not null references contacts (id) on delete cascade,
     channel text not null,
     category text not null,
     reason text not null,
     source text not null,
     detail text,
     created_at timestamptz not null default now(),
     revoked_at timestamptz
   )`,
  `create index suppressions_contact_idx on suppressions (contact_id) where revoked_at is null`,

  // Cooldowns span journeys: a cooldown node or the unopened-streak rule in one journey holds
  // promotional sends from every journey for this contact.
  `create table contact_cooldowns (
     id bigint generated always as identity primary key,
     contact_id bigint not null references contacts (id) on delete cascade,
     scope text not null,
     until timestamptz not null,
     reason text not null,
     journey_id text,
     node_id text,
     created_at timestamptz not null default now()
   )`,
  `create index contact_cooldowns_contact_idx on contact_cooldowns (contact_id, until)`,

  // At most one active enrollment per contact and journey is enforced here, not by
  // check-then-insert. The snapshot row has no often-changing indexed column, so the ticker's
  // snapshot updates can be HOT; when the ticker must next look lives in enrollment_wakeups.
  // waits_for lists the event names that must wake it at once (branch events, engagement
  // signals, exitOn); event_cursor is the last of the contact's events the engine has seen, so
  // an event is fed to each enrollment exactly once and in arrival order. Ingest only inserts
  // the row (snapshot null, entry_event set, due now); the ticker runs the engine's entry step,
  // so all journey semantics execute in one place.
  `create table enrollments (
     id bigint generated always as identity primary key,
     contact_id bigint not null references contacts (id) on delete cascade,
     journey_id text not null references journeys (id) on delete cascade,
     version_id bigint not null references journey_versions (id),
     status text not null default 'active' check (status in ('active', 'completed', 'exited')),
     current_node text not null,
     snapshot jsonb,
     entry_event jsonb,
     waits_for text[] not null default '{}',
     event_cursor bigint not null default 0,
     revision integer not null default 0,
     entered_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     ended_at timestamptz,
     exit_reason text
   )`,
  // Free space in every page so the ticker's snapshot updates stay on the page as HOT updates
  // (no index maintenance): measured 68 HOT of 60,000 updates at the default fillfactor 100.
  `alter table enrollments set (fillfactor = 70)`,
  `create unique index enrollments_active_key on enrollments (contact_id, journey_id)
     where status = 'active'`,
  `create index enrollments_journey_idx on enrollments (journey_id, status)`,

  // The ticker's queue: one narrow row per active enrollment. 'infinity' means only an event can
  // move it. The ticker claims due rows with FOR UPDATE SKIP LOCKED in wake_at order and
  // computes, writes and commits the whole batch in that same transaction: a worker that dies
  // mid-batch releases its row locks with its connection, so nothing needs a lease sweep, and
  // an event that arrives meanwhile waits on the row lock instead of being overwritten.
  // held: the journey is paused; wake_at is parked at 'infinity' and events do not wake it.
  `create table enrollment_wakeups (
     enrollment_id bigint primary key references enrollments (id) on delete cascade,
     contact_id bigint not null,
     wake_at timestamptz not null,
     held boolean not null default false
   )`,
  `create index enrollment_wakeups_due_idx on enrollment_wakeups (wake_at)
     where wake_at < 'infinity'`,
  `create index enrollment_wakeups_contact_idx on enrollment_wakeups (contact_id)`,

  `create table enrollment_log (
     id bigint generated always as identity primary key,
     contact_id bigint not null,
     enrollment_id bigint references enrollments (id) on delete cascade,
     journey_id text,
     version_id bigint,
     node_id text,
     type text not null,
     reason text,
     detail text,
     data jsonb not null default '{}'::jsonb,
     at timestamptz not null
   )`,
  `create index enrollment_log_contact_idx on enrollment_log (contact_id, at)`,
  `create index enrollment_log_enrollment_idx on enrollment_log (enrollment_id, id)`,
  `create index enrollment_log_journey_idx on enrollment_log (journey_id, type, at)`,

  // The outbox. The idempotency key is derived from (enrollment, node, visit), so a batch retried
  // after a crash cannot enqueue the same send twice, and the provider sees the same key on retry.
  `create table messages (
     id bigint generated always as identity primary key,
     idempotency_key text not null unique,
     contact_id bigint not null references contacts (id) on delete cascade,
     enrollment_id bigint references enrollments (id) on delete set null,
     journey_id text,
     version_id bigint,
     node_id text,
     channel text not null,
     category text not null,
     body text not null,
     encoding text,
     parts integer,
     status text not null default 'queued'
       check (status in ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled')),
     locked_by text,
     locked_until timestamptz,
     provider text,
     provider_message_id text,
     attempts integer not null default 0,
     next_attempt_at timestamptz not null default now(),
     last_error text,
     is_test boolean not null default false,
     created_at timestamptz not null default now(),
     sent_at timestamptz,
     delivered_at timestamptz,
     clicked_at timestamptz,
     updated_at timestamptz not null default now()
   )`,
  // Delivery claims queued rows (SKIP LOCKED) and marks them 'sending' with a lease, then calls
  // the provider outside any transaction; a lease that expires (worker died mid-call) is swept
  // back to 'queued', and the provider dedupes the retry by the idempotency key.
  `create index messages_due_idx on messages (next_attempt_at) where status = 'queued'`,
  `create index messages_lease_idx on messages (locked_until) where status = 'sending'`,
  `create index messages_contact_idx on messages (contact_id, created_at desc)`,
  `create index messages_provider_idx on messages (provider, provider_message_id)
     where provider_message_id is not null`,
  `create index messages_journey_idx on messages (journey_id, node_id, status)`,

  // Tracked links: a random token per recipient and link, so a click names the message.
  `create table link_tokens (
     token text primary key,
     message_id bigint references messages (id) on delete cascade,
     contact_id bigint not null,
     url text not null,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null
   )`,
];

const tables = [
  "link_tokens",
  "messages",
  "enrollment_log",
  "enrollment_wakeups",
  "enrollments",
  "contact_cooldowns",
  "suppressions",
  "events",
  "contacts",
  "journeys",
  "journey_versions",
  "api_keys",
  "sessions",
  "operators",
  "settings",
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of tables) await knex.raw(`drop table if exists ${table} cascade`);
}
