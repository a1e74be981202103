import type { Knex } from "knex";

/*
 * Access controls (issue 14).
 *
 * Keys with roles: a secret key used to act as an admin whoever made it, so an engineer could
 * mint admin power. Now it carries the role it was created with (never above its creator's,
 * checked in server/keys/api-keys.ts) and is refused once its creator is disabled. Existing
 * secret keys get their creator's role, or admin when the CLI made them (no creator: the CLI
 * already has the database). `metrics` is a key role for Prometheus scrapers: GET /metrics only.
 * Write keys have no role (they only ingest). A creator row deleted by hand used to turn its
 * keys into creator-less ones, i.e. CLI keys; now the keys go with it.
 *
 * contact_lookups: every search of contacts by a phone number or an email, who made it and
 * when, so recovering a masked phone by trying candidates leaves a trail (and the search route
 * counts recent rows to throttle it). The phone is stored as its blind index, the email as its
 * mask: the audit must not become a second copy of the contact data.
 */
const statements = [
  `alter table api_keys add column role text
     check (role in ('admin', 'marketer', 'support', 'engineer', 'metrics'))`,
  `update api_keys k set role = coalesce((select o.role from operators o where o.id = k.created_by), 'admin')
     where k.kind = 'secret'`,
  `alter table api_keys add constraint api_keys_role_kind check ((kind = 'secret') = (role is not null))`,
  `alter table api_keys drop constraint api_keys_created_by_fkey`,
  `alter table api_keys add constraint api_keys_created_by_fkey
     foreign key (created_by) references operators (id) on delete cascade`,
  `create index api_keys_created_by_idx on api_keys (created_by)`,

  `create table contact_lookups (
     id bigint generated always as identity primary key,
     at timestamptz not null default now(),
     operator_id bigint references operators (id) on delete set null,
     key_id bigint references api_keys (id) on delete set null,
     actor text not null,
     kind text not null check (kind in ('phone', 'email')),
     lookup text not null,
     shown text not null,
     matched integer not null,
     refused boolean not null default false
   )`,
  // The throttle counts one actor's recent lookups; the audit page reads newest first.
  `create index contact_lookups_actor_at_idx on contact_lookups (actor, at)`,
  `create index contact_lookups_at_idx on contact_lookups (at)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table if exists contact_lookups");
  await knex.raw("drop index if exists api_keys_created_by_idx");
  await knex.raw("alter table api_keys drop constraint api_keys_created_by_fkey");
  await knex.raw(
    `alter table api_keys add constraint api_keys_created_by_fkey
       foreign key (created_by) references operators (id) on delete set null`,
  );
  await knex.raw("alter table api_keys drop constraint api_keys_role_kind");
  await knex.raw("alter table api_keys drop column role");
}
