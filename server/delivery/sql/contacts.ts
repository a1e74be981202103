import type { Knex } from "knex";

/*
 * The contact side of inbound SMS. Why by blind index: phone numbers are stored encrypted, so
 * the only exact lookup is the keyed hash (contacts_phone_hash_idx). A number may belong to more
 * than one contact (a shared family phone, a re-imported list); a reply speaks for all of them.
 */

export async function contactsByPhoneHash(
  db: Knex | Knex.Transaction,
  phoneHash: string,
): Promise<number[]> {
  const rows = (await db("contacts").where({ phone_hash: phoneHash }).select("id")) as {
    id: string | number;
  }[];
  return rows.map((r) => Number(r.id));
}

/**
 * START/UNSTOP undoes what the contact's own replies, links or carrier did on SMS: their
 * keyword, unsubscribe-link and provider suppressions are revoked (kept as history). An
 * operator's manual suppression is a business decision and stays.
 */
export async function revokeOwnSmsSuppressions(
  trx: Knex.Transaction,
  contactId: number,
  now: Date,
): Promise<number> {
  return trx("suppressions")
    .where({ contact_id: contactId, channel: "sms" })
    .whereNull("revoked_at")
    .whereIn("reason", ["keyword", "unsubscribe_link", "provider"])
    .update({ revoked_at: now });
}
