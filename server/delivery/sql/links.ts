import type { Knex } from "knex";

/*
 * Tracked links (server/delivery/links.ts mints them): written in bulk when the ticker or a test
 * send queues messages, read one at a time on click.
 *
 * Why unnest: the ticker writes a whole batch of messages in one transaction and must not add a
 * statement per link; parallel arrays through unnest are one statement and one round trip for
 * any batch size, with no limit on bind parameters (a multi-row VALUES would need four per row).
 * Every link of one write expires at the same moment (queued now, WAYMARK_LINK_TTL_DAYS), so
 * the expiry is one parameter, not a column of equal values.
 */

export interface LinkTokenRow {
  token: string;
  messageId: number;
  contactId: number;
  url: string;
}

export async function insertLinkTokens(
  db: Knex | Knex.Transaction,
  rows: readonly LinkTokenRow[],
  expiresAt: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = (await db.raw(
    `insert into link_tokens (token, message_id, contact_id, url, expires_at)
     select x.token, x.message_id, x.contact_id, x.url, ?::timestamptz
       from unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[])
         as x(token, message_id, contact_id, url)`,
    [
      expiresAt.toISOString(),
      rows.map((r) => r.token),
      rows.map((r) => r.messageId),
      rows.map((r) => r.contactId),
      rows.map((r) => r.url),
    ],
  )) as { rowCount?: number | null };
  return result.rowCount ?? 0;
}

export interface ResolvedLink {
  url: string;
  contactId: number;
  messageId: number | null;
  journeyId: string | null;
  nodeId: string | null;
}

/** The link behind a token, if it exists and has not expired (primary-key lookup). */
export async function findLink(db: Knex, token: string, now: Date): Promise<ResolvedLink | null> {
  const { rows } = (await db.raw(
    `select l.url, l.contact_id, l.message_id, m.journey_id, m.node_id
       from link_tokens l left join messages m on m.id = l.message_id
      where l.token = ? and l.expires_at > ?`,
    [token, now],
  )) as {
    rows: {
      url: string;
      contact_id: string | number;
      message_id: string | number | null;
      journey_id: string | null;
      node_id: string | null;
    }[];
  };
  const row = rows[0];
  if (!row) return null;
  return {
    url: row.url,
    contactId: Number(row.contact_id),
    messageId: row.message_id === null ? null : Number(row.message_id),
    journeyId: row.journey_id,
    nodeId: row.node_id,
  };
}

/** Stamps the first click only; later clicks leave clicked_at as it was. */
export async function markClicked(
  db: Knex.Transaction,
  messageId: number,
  now: Date,
): Promise<void> {
  await db.raw(
    "update messages set clicked_at = ?, updated_at = ? where id = ? and clicked_at is null",
    [now, now, messageId],
  );
}
