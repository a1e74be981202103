import type { Knex } from "knex";
import type { AuditActor, AuditEntry, AuditFilter } from "../types.ts";

/**
 * The audit log's queries. Entries are only inserted, inside the caller's transaction when it
 * has one, so an audited change and its entry commit (or roll back) together. Reads page
 * newest first by id (monotonic), served by audit_log_subject_idx or audit_log_action_idx.
 */

interface Row {
  id: string | number;
  at: Date;
  actor_kind: AuditActor["kind"];
  actor_id: string | number | null;
  actor_name: string;
  actor_role: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  details: Record<string, unknown>;
}

export async function insertAuditEntry(
  db: Knex | Knex.Transaction,
  entry: Omit<AuditEntry, "id">,
): Promise<number> {
  const [row] = (await db("audit_log")
    .insert({
      at: entry.at,
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.kind === "system" ? null : entry.actor.id,
      actor_name: entry.actor.name,
      actor_role: entry.actor.kind === "system" ? null : entry.actor.role,
      action: entry.action,
      subject_type: entry.subject.type,
      subject_id: entry.subject.id,
      details: JSON.stringify(entry.details),
    })
    .returning("id")) as { id: string | number }[];
  return Number(row?.id);
}

export async function selectAuditEntries(db: Knex, filter: AuditFilter): Promise<AuditEntry[]> {
  const q = db("audit_log").orderBy("id", "desc").limit(filter.limit);
  if (filter.subjectType !== undefined) q.where("subject_type", filter.subjectType);
  if (filter.subjectId !== undefined) q.where("subject_id", filter.subjectId);
  if (filter.action !== undefined) q.where("action", filter.action);
  if (filter.before !== undefined) q.where("id", "<", filter.before);
  const rows = (await q.select(
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "actor_name",
    "actor_role",
    "action",
    "subject_type",
    "subject_id",
    "details",
  )) as Row[];
  return rows.map(toEntry);
}

function toEntry(r: Row): AuditEntry {
  const id = r.actor_id === null ? null : Number(r.actor_id);
  const actor: AuditActor =
    r.actor_kind === "system"
      ? { kind: "system", name: r.actor_name }
      : { kind: r.actor_kind, id, name: r.actor_name, role: r.actor_role };
  return {
    id: Number(r.id),
    at: r.at,
    actor,
    action: r.action,
    subject: { type: r.subject_type, id: r.subject_id },
    details: r.details,
  };
}
