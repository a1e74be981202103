import type { Knex } from "knex";
import type { MessagePayload } from "../../../engine/effects.ts";
import type { Journey } from "../../../engine/format/journey.ts";
import { storeLinks } from "../../delivery/links.ts";

/*
 * The editor's test send: the reads it needs (a version's document, the contact) and the one
 * write, a message row in the normal outbox plus its tracked links, in one transaction. Why the
 * outbox and not a direct provider call: delivery then treats a test like any send (leases,
 * retries, status callbacks), so what the tester's phone shows is what a customer's would. The
 * row is `is_test`, which keeps it out of caps, recent sends and results
 * (runtime/sql/contact-state.ts reads `not is_test`).
 */

type Db = Knex | Knex.Transaction;

/** A journey's draft (`"draft"`) or a published version's document; null when it has none. */
export async function journeyDocument(
  db: Db,
  journeyId: string,
  which: "draft" | number,
): Promise<Journey | null> {
  const row = (await db("journey_versions")
    .where(
      which === "draft"
        ? { journey_id: journeyId, is_draft: true }
        : { journey_id: journeyId, version: which, is_draft: false },
    )
    .first("definition")) as { definition: Journey } | undefined;
  return row?.definition ?? null;
}

export interface ToolContact {
  id: number;
  externalId: string;
  email: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
}

/** A contact by external id, or by row id when `id` is all digits (as the contact pages link). */
export async function findToolContact(db: Db, id: string): Promise<ToolContact | null> {
  const row = (await db("contacts")
    .where((w) => {
      w.where("external_id", id);
      if (/^\d{1,15}$/.test(id)) w.orWhere("id", Number(id));
    })
    .first("id", "external_id", "email", "locale", "timezone", "attributes")) as
    | {
        id: string | number;
        external_id: string;
        email: string | null;
        locale: string | null;
        timezone: string | null;
        attributes: Record<string, unknown>;
      }
    | undefined;
  if (!row) return null;
  return {
    id: Number(row.id),
    externalId: row.external_id,
    email: row.email,
    locale: row.locale,
    timezone: row.timezone,
    attributes: row.attributes ?? {},
  };
}

/** The test list's contacts that exist, in list order: what the editor offers. */
export async function testListContacts(
  db: Db,
  externalIds: readonly string[],
): Promise<{ id: number; externalId: string }[]> {
  if (externalIds.length === 0) return [];
  const rows = (await db("contacts")
    .whereIn("external_id", [...externalIds])
    .select("id", "external_id")) as { id: string | number; external_id: string }[];
  const byId = new Map(rows.map((r) => [r.external_id, Number(r.id)]));
  return externalIds.flatMap((externalId) => {
    const id = byId.get(externalId);
    return id === undefined ? [] : [{ id, externalId }];
  });
}

export interface TestMessage {
  idempotencyKey: string;
  contactId: number;
  journeyId: string;
  nodeId: string;
  channel: string;
  category: string;
  body: string;
  encoding: string | null;
  parts: number;
  /** The tracked links the message carries (delivery/links.ts `linksCarried`). */
  links: readonly { token: string; url: string }[];
  /** Email: subject, HTML, sender; webhook: the request (messages.payload); as the ticker stores them. */
  payload?: MessagePayload | null;
  /** The send's variant the test carries (engine/nodes/send-variants.ts); null without variants. */
  variant: string | null;
}

/**
 * Queues a test message and its tracked links together; returns the message id. The links
 * resolve for `linkTtlMs` (WAYMARK_LINK_TTL_DAYS), as a customer's do.
 */
export async function enqueueTestMessage(
  knex: Knex,
  m: TestMessage,
  now: Date,
  linkTtlMs: number,
): Promise<number> {
  return knex.transaction(async (trx) => {
    const [row] = (await trx("messages")
      .insert({
        idempotency_key: m.idempotencyKey,
        contact_id: m.contactId,
        journey_id: m.journeyId,
        node_id: m.nodeId,
        channel: m.channel,
        category: m.category,
        body: m.body,
        encoding: m.encoding,
        parts: m.parts,
        payload: m.payload ? JSON.stringify(m.payload) : null,
        variant: m.variant,
        is_test: true,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning("id")) as { id: string | number }[];
    const messageId = Number(row?.id);
    await storeLinks(trx, [{ messageId, contactId: m.contactId, links: m.links }], now, linkTtlMs);
    return messageId;
  });
}

export interface TestMessageStatus {
  id: number;
  status: string;
  provider: string | null;
  providerMessageId: string | null;
  lastError: string | null;
  attempts: number;
  body: string;
  sentAt: Date | null;
  deliveredAt: Date | null;
}

/** One test message of one journey, for the editor's outcome poll; null for any other row. */
export async function testMessageStatus(
  db: Db,
  journeyId: string,
  messageId: number,
): Promise<TestMessageStatus | null> {
  const row = (await db("messages")
    .where({ id: messageId, journey_id: journeyId, is_test: true })
    .first(
      "id",
      "status",
      "provider",
      "provider_message_id",
      "last_error",
      "attempts",
      "body",
      "sent_at",
      "delivered_at",
    )) as
    | {
        id: string | number;
        status: string;
        provider: string | null;
        provider_message_id: string | null;
        last_error: string | null;
        attempts: number;
        body: string;
        sent_at: Date | null;
        delivered_at: Date | null;
      }
    | undefined;
  if (!row) return null;
  return {
    id: Number(row.id),
    status: row.status,
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    lastError: row.last_error,
    attempts: Number(row.attempts),
    body: row.body,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
  };
}
