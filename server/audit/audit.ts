import type { Request } from "express";
import type { Knex } from "knex";
import { insertAuditEntry } from "./sql/audit-log.ts";
import type { AuditActor, AuditSubject } from "./types.ts";
import { SYSTEM_ACTOR } from "./types.ts";

/**
 * Who made this request, for the audit log: the credential `server/http/auth.ts` resolved — a
 * key (its own id and role; it acts for its creator, who is not the actor here) or an
 * operator's session.
 */
export function actorFrom(req: Request): AuditActor {
  const op = req.operator;
  if (!op) return SYSTEM_ACTOR;
  if (op.via.kind === "key") return { kind: "key", id: op.via.key, name: op.name, role: op.role };
  return { kind: "operator", id: op.id, name: op.email, role: op.role };
}

export interface AuditRecord {
  action: string;
  subject: AuditSubject;
  details?: Record<string, unknown>;
  at: Date;
}

/**
 * Records one audited action. Pass the transaction that makes the change, so the entry and the
 * change commit together; `who` is a request (its caller) or an actor already resolved.
 */
export async function audit(
  db: Knex | Knex.Transaction,
  who: Request | AuditActor,
  record: AuditRecord,
): Promise<number> {
  const actor = "headers" in who ? actorFrom(who) : who;
  return insertAuditEntry(db, {
    at: record.at,
    actor,
    action: record.action,
    subject: record.subject,
    details: record.details ?? {},
  });
}

/**
 * Runs `change` in a transaction and records the entry `describe` builds from its result in
 * the same transaction: the change and its audit entry commit together or not at all.
 * `describe` returns null for outcomes that change nothing (a dry run).
 */
export async function withAudit<T>(
  knex: Knex,
  actor: AuditActor,
  change: (trx: Knex.Transaction) => Promise<T>,
  describe: (result: T) => AuditRecord | null,
): Promise<T> {
  return knex.transaction(async (trx) => {
    const result = await change(trx);
    const record = describe(result);
    if (record) await audit(trx, actor, record);
    return result;
  });
}
