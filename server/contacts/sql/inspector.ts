import type { Knex } from "knex";
import { COLUMNS, type ContactRow } from "./search.ts";

/*
 * What the contact pages read: one contact by either of its ids, its opt-outs, and the journey
 * inspector's enrollments and timeline. Each is one query on an index by contact
 * (suppressions, enrollments and enrollment_log by contact_id), so a page costs the same
 * whatever the size of the workspace.
 */

/**
 * A contact by row id when `id` is all digits (the console's links), else by external id (the
 * API's). A digits-only external id that is not also a row id is still found by the second probe.
 */
export async function findContact(knex: Knex, id: string): Promise<ContactRow | undefined> {
  const byRow = /^\d+$/.test(id)
    ? ((await knex("contacts")
        .where({ id: Number(id) })
        .first([...COLUMNS])) as ContactRow | undefined)
    : undefined;
  return (
    byRow ??
    ((await knex("contacts")
      .where({ external_id: id })
      .first([...COLUMNS])) as ContactRow | undefined)
  );
}

/** Every opt-out, newest first, revoked ones included (support reads the history). */
export function contactSuppressions(knex: Knex, contactId: number | string) {
  return knex("suppressions")
    .where({ contact_id: contactId })
    .orderBy("id", "desc")
    .select(
      "channel",
      "category",
      "reason",
      "source",
      "created_at as createdAt",
      "revoked_at as revokedAt",
    ) as Promise<
    {
      channel: string;
      category: string;
      reason: string;
      source: string | null;
      createdAt: Date;
      revokedAt: Date | null;
    }[]
  >;
}

export interface EnrollmentRow {
  id: string | number;
  journey_id: string;
  name: string;
  version: number;
  version_id: string | number;
  status: string;
  current_node: string;
  wake_at: Date | null;
  held: boolean | null;
  entered_at: Date;
  ended_at: Date | null;
  exit_reason: string | null;
}

/** Every enrollment of the contact, newest first, with its journey, version and wake-up. */
export async function contactEnrollments(
  knex: Knex,
  contactId: number | string,
): Promise<EnrollmentRow[]> {
  return (await knex("enrollments as e")
    .join("journeys as j", "j.id", "e.journey_id")
    .join("journey_versions as v", "v.id", "e.version_id")
    .leftJoin("enrollment_wakeups as w", "w.enrollment_id", "e.id")
    .where("e.contact_id", contactId)
    .orderBy("e.id", "desc")
    .select(
      "e.id",
      "e.journey_id",
      "j.name",
      "v.version",
      "e.version_id",
      "e.status",
      "e.current_node",
      "w.wake_at",
      "w.held",
      "e.entered_at",
      "e.ended_at",
      "e.exit_reason",
    )) as EnrollmentRow[];
}

export interface LogRow {
  id: string | number;
  enrollment_id: string | number | null;
  node_id: string | null;
  type: string;
  reason: string | null;
  detail: string | null;
  data: Record<string, unknown>;
  at: Date;
  message_id: string | number | null;
  message_status: string | null;
  message_channel: string | null;
  message_payload: unknown;
  message_opened_at: Date | null;
  message_machine_opened_at: Date | null;
  journey_id: string | null;
  journey_name: string | null;
}

/**
 * The contact's whole timeline in order, each sent entry joined to its message (by the
 * idempotency key the entry carries) so the inspector shows the delivery status beside it, and
 * what its channel adds: the payload as rendered (subject, template code…) and the opens.
 */
export async function contactLog(knex: Knex, contactId: number | string): Promise<LogRow[]> {
  return (await knex("enrollment_log as l")
    .leftJoin("messages as m", function () {
      this.on(knex.raw("m.idempotency_key = l.data->>'idempotencyKey'"));
    })
    .leftJoin("journeys as jn", "jn.id", "l.journey_id")
    .where("l.contact_id", contactId)
    .orderBy("l.id")
    .select(
      "l.id",
      "l.enrollment_id",
      "l.node_id",
      "l.type",
      "l.reason",
      "l.detail",
      "l.data",
      "l.at",
      "m.id as message_id",
      "m.status as message_status",
      "m.channel as message_channel",
      "m.payload as message_payload",
      "m.opened_at as message_opened_at",
      "m.machine_opened_at as message_machine_opened_at",
      "l.journey_id",
      "jn.name as journey_name",
    )) as LogRow[];
}
