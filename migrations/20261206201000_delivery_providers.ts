import type { Knex } from "knex";

/*
 * Providers chosen in Settings (issue #19): at most one per channel; a channel without a row
 * uses the environment's provider (server/delivery/config.ts), so an install that never opens
 * Settings behaves as before. `settings` holds the non-secret fields as JSON (the form shows
 * them again); the secret fields (auth tokens, an SMTP URL with its password, a VAPID private
 * key) are one JSON object encrypted with the provider-secret key (server/privacy/keys.ts
 * sealSecret), never stored or returned in clear. `updated_by` is the actor's name as the
 * audit log records it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists delivery_providers (
     channel text primary key check (channel in ('sms', 'email', 'push', 'webhook')),
     kind text not null,
     settings jsonb not null default '{}'::jsonb,
     secrets_encrypted text,
     updated_by text not null,
     updated_at timestamptz not null default now()
   )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table if exists delivery_providers");
}
