import type { Knex } from "knex";

/*
 * POST /api/journeys/:id/enroll names a user by the id the caller's systems know. The contact
 * is created if it is new (ON CONFLICT DO NOTHING, so two concurrent calls make one row), and
 * the newest event id is the new enrollment's cursor: everything the contact did before the
 * call is history, not an answer to the journey's branches (as on ingest's enrollments).
 */
export async function contactForApiEnroll(
  trx: Knex.Transaction,
  externalId: string,
): Promise<{ contactId: number; eventCursor: number }> {
  await trx("contacts").insert({ external_id: externalId }).onConflict("external_id").ignore();
  const contact = (await trx("contacts").where({ external_id: externalId }).first("id")) as {
    id: string | number;
  };
  const cursor = (await trx("events")
    .where({ contact_id: contact.id })
    .max("id as max")
    .first()) as { max: string | number | null };
  return { contactId: Number(contact.id), eventCursor: Number(cursor?.max ?? 0) };
}
