import type { Knex } from "knex";

/*
 * The email side of delivery's public endpoints: the message an unsubscribe or open token
 * names (by primary key, with its contact's address for the confirm page), whether the contact
 * already opted out of that channel and category (a second one-click POST — mail clients and
 * scanners repeat them — adds no second history row), and the first human open.
 */

type Db = Knex | Knex.Transaction;

export interface EmailMessageRow {
  id: number;
  contactId: number;
  journeyId: string | null;
  nodeId: string | null;
  channel: string;
  category: string;
  email: string | null;
}

export async function emailMessage(db: Db, id: number): Promise<EmailMessageRow | null> {
  const row = (await db("messages as m")
    .join("contacts as c", "c.id", "m.contact_id")
    .where("m.id", id)
    .first(
      "m.id",
      "m.contact_id",
      "m.journey_id",
      "m.node_id",
      "m.channel",
      "m.category",
      "c.email",
    )) as
    | {
        id: string | number;
        contact_id: string | number;
        journey_id: string | null;
        node_id: string | null;
        channel: string;
        category: string;
        email: string | null;
      }
    | undefined;
  if (!row) return null;
  return {
    id: Number(row.id),
    contactId: Number(row.contact_id),
    journeyId: row.journey_id,
    nodeId: row.node_id,
    channel: row.channel,
    category: row.category,
    email: row.email,
  };
}

/** An opt-out in force for this channel and category (or all categories). */
export async function hasActiveOptOut(
  db: Db,
  contactId: number,
  channel: string,
  category: string,
): Promise<boolean> {
  const row = await db("suppressions")
    .where({ contact_id: contactId, channel })
    .whereIn("category", [category, "*"])
    .whereNull("revoked_at")
    .first("id");
  return row !== undefined;
}

/** Stamps the first open; true when this was it (later opens change nothing). */
export async function markOpened(db: Db, id: number, now: Date): Promise<boolean> {
  const n = await db("messages")
    .where({ id })
    .whereNull("opened_at")
    .update({ opened_at: now, updated_at: now });
  return n > 0;
}

/**
 * Stamps the first machine fetch of an email's pixel (a mail proxy's prefetch, a scanner): not
 * an open, only shown to support beside the real one (migrations/20261206203000_…). Later
 * fetches write nothing.
 */
export async function markMachineOpened(db: Db, id: number, now: Date): Promise<void> {
  await db("messages")
    .where({ id, channel: "email" })
    .whereNull("machine_opened_at")
    .update({ machine_opened_at: now });
}

/** The SMTP message a bounce names, by the Message-ID we gave it (its provider message id). */
export async function messageByMessageId(
  db: Db,
  messageId: string,
): Promise<EmailMessageRow | null> {
  const row = (await db("messages")
    .where({ provider: "smtp", provider_message_id: messageId })
    .first("id")) as { id: string | number } | undefined;
  return row ? emailMessage(db, Number(row.id)) : null;
}

/**
 * A bounce arrives after we recorded the message sent (the relay took it, the mailbox did not):
 * the status moves to failed whatever it was, unless it already is.
 */
export async function markBounced(
  db: Db,
  id: number,
  error: string,
  now: Date,
): Promise<{
  id: number;
  contact_id: number;
  journey_id: string | null;
  node_id: string | null;
  status: string;
} | null> {
  const rows = (await db("messages")
    .where({ id })
    .whereNot("status", "failed")
    .update({ status: "failed", last_error: error, updated_at: now })
    .returning(["id", "contact_id", "journey_id", "node_id", "status"])) as {
    id: number;
    contact_id: number;
    journey_id: string | null;
    node_id: string | null;
    status: string;
  }[];
  return rows[0] ?? null;
}

/** Every contact with this address: a bounce is the mailbox's, whoever holds it here. */
export async function contactsByEmail(db: Db, email: string): Promise<number[]> {
  const rows = (await db("contacts").where({ email }).select("id")) as { id: string | number }[];
  return rows.map((r) => Number(r.id));
}
