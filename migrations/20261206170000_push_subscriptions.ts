import type { Knex } from "knex";

/*
 * Web-push subscriptions (issue #19): what a browser's PushSubscription gives the site, stored
 * per contact, several per contact (a phone and a laptop). The endpoint and its keys are
 * personal data that would let anyone push to that browser, so the whole subscription is
 * encrypted at rest like a phone number (server/privacy/keys.ts); `endpoint_hash`, its blind
 * index, finds a subscription again without decrypting every row. It is unique across
 * contacts: one browser subscription reaches one person, and registering it for another user
 * (someone else signs in on that browser) moves it. Deleting a contact deletes its rows.
 *
 * `push_deliveries` remembers which subscriptions a push service accepted a message for, so a
 * retry (another browser's service answered 503) pushes only to the ones still owed it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table if not exists push_subscriptions (
     id bigint generated always as identity primary key,
     contact_id bigint not null references contacts (id) on delete cascade,
     endpoint_hash text not null unique,
     subscription_encrypted text not null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`);
  await knex.raw(
    "create index if not exists push_subscriptions_contact_idx on push_subscriptions (contact_id)",
  );
  await knex.raw(`create table if not exists push_deliveries (
     message_id bigint not null references messages (id) on delete cascade,
     subscription_id bigint not null references push_subscriptions (id) on delete cascade,
     provider_message_id text not null,
     accepted_at timestamptz not null default now(),
     primary key (message_id, subscription_id)
   )`);
  await knex.raw(
    "create index if not exists push_deliveries_subscription_idx on push_deliveries (subscription_id)",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop table if exists push_deliveries");
  await knex.raw("drop table if exists push_subscriptions");
}
