import type { Knex } from "knex";
import type { Category, Channel } from "../../../engine/shared/channels.ts";
import type { ConsentRecord } from "../profile.ts";

/*
 * What a support operator changes on a contact, in the tables the ticker already reads
 * (runtime/sql/contact-state.ts): `suppressions` for opt-outs (kept as history: an opt-in sets
 * revoked_at, never deletes) and `contacts.consent` for consent. Why no table of its own: the
 * next step of any journey must honour the change, and it does only if the change is where the
 * suppression rules look. The opt-out itself goes through events/record.ts's recordOptOut, the
 * same write an inbound STOP makes (queued messages canceled, waiting enrollments woken).
 */

type Db = Knex | Knex.Transaction;

/** The contact row behind a support action, locked so two operators' edits serialize. */
export async function lockContact(
  trx: Knex.Transaction,
  id: number,
): Promise<{ consent: Record<string, Record<string, ConsentRecord>> } | null> {
  const row = (await trx("contacts").where({ id }).forNoKeyUpdate().first("consent")) as
    | { consent: Record<string, Record<string, ConsentRecord>> | null }
    | undefined;
  return row ? { consent: row.consent ?? {} } : null;
}

/**
 * Lifts the active opt-outs an operator's opt-in covers: on `channel`, of `category` (`*`: of
 * every category, including an opt-out of all categories). Returns how many were revoked.
 */
export async function revokeOptOuts(
  trx: Knex.Transaction,
  contactId: number,
  channel: Channel,
  category: Category | "*",
  now: Date,
): Promise<number> {
  const q = trx("suppressions")
    .where({ contact_id: contactId })
    .whereIn("channel", [channel, "*"])
    .whereNull("revoked_at");
  if (category !== "*") q.where("category", category);
  return q.update({ revoked_at: now });
}

/** Active opt-outs on `channel` that cover every category (a STOP reply's `sms/*`). */
export async function countBlanketOptOuts(
  db: Db,
  contactId: number,
  channel: Channel,
): Promise<number> {
  const row = (await db("suppressions")
    .where({ contact_id: contactId, category: "*" })
    .whereIn("channel", [channel, "*"])
    .whereNull("revoked_at")
    .count({ n: "*" })
    .first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * Sets one channel/category consent record, leaving the others as they are. A record newer than
 * an opt-out lifts it for that exact channel and category (engine/rules/opt-out.ts).
 */
export async function writeConsent(
  trx: Knex.Transaction,
  contactId: number,
  channel: Channel,
  category: Category,
  record: ConsentRecord,
  now: Date,
): Promise<void> {
  await trx.raw(
    `update contacts
        set consent = jsonb_set(
              coalesce(consent, '{}'::jsonb)
                || jsonb_build_object(?::text, coalesce(consent -> ?::text, '{}'::jsonb)),
              array[?::text, ?::text], ?::jsonb),
            updated_at = ?
      where id = ?`,
    [channel, channel, channel, category, JSON.stringify(record), now, contactId],
  );
}
