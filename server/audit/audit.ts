import type { Request } from "express";
import type { Knex } from "knex";
import { hashKey } from "../keys/api-keys.ts";
import { insertAuditEntry } from "./sql/audit-log.ts";
import type { AuditActor, AuditSubject } from "./types.ts";
import { SYSTEM_ACTOR } from "./types.ts";

/**
 * Who made this request, for the audit log. `server/http/auth.ts` resolves a Bearer token as
 * an API key (and only as one), so a request that authenticated with one is a key's; its id is
 * found by the same hash the key table stores. Anything else signed in is an operator.
 */
export async function actorFrom(db: Knex | Knex.Transaction, req: Request): Promise<AuditActor> {
  const op = req.operator;
  if (!op) return SYSTEM_ACTOR;
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) {
    const row = (await db("api_keys")
      .where({ key_hash: hashKey(auth.slice(7).trim()) })
      .first("id")) as { id: string | number } | undefined;
    return { kind: "key", id: row ? Number(row.id) : null, name: op.name, role: op.role };
  }
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
  const actor = "headers" in who ? await actorFrom(db, who) : who;
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
