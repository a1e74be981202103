import type { Knex } from "knex";
import { audit } from "../audit/audit.ts";
import type { AuditActor } from "../audit/types.ts";
import { mayGrant } from "../keys/api-keys.ts";
import type { Role } from "./sessions.ts";

export type RoleChange =
  | { kind: "changed"; email: string; from: Role; to: Role; keysStopped: number }
  | { kind: "unchanged"; email: string; role: Role }
  | { kind: "not_found" }
  | { kind: "last_admin" };

/**
 * Gives an active operator another role, with its audit entry in the same transaction.
 *
 * The last active admin keeps the role: without one, nobody could manage operators or
 * settings again except from the CLI. The active admins' rows are locked first, so two admins
 * demoting each other at once cannot both pass the count (the second waits, then counts one).
 *
 * Nothing else needs rewriting: a session reads its operator's role on every request, and a
 * secret key whose role the creator may no longer grant is refused by `verifyApiKey`; the
 * answer counts those keys so the admin sees what stopped. Open sockets are the caller's to end.
 */
export async function changeOperatorRole(
  knex: Knex,
  actor: AuditActor,
  id: number,
  to: Role,
  now: Date,
): Promise<RoleChange> {
  return knex.transaction(async (trx) => {
    const admins = (await trx("operators")
      .where({ role: "admin" })
      .whereNull("disabled_at")
      .orderBy("id")
      .forUpdate()
      .select("id")) as { id: string | number }[];
    const row = (await trx("operators")
      .where({ id })
      .whereNull("disabled_at")
      .forUpdate()
      .first("email", "role")) as { email: string; role: Role } | undefined;
    if (!row) return { kind: "not_found" };
    if (row.role === to) return { kind: "unchanged", email: row.email, role: to };
    if (row.role === "admin" && admins.length <= 1) return { kind: "last_admin" };
    await trx("operators").where({ id }).update({ role: to });
    const keys = (await trx("api_keys")
      .where({ created_by: id, kind: "secret" })
      .whereNull("revoked_at")
      .select("role")) as { role: Role | "metrics" | null }[];
    const keysStopped = keys.filter(
      (k) => k.role !== null && mayGrant(row.role, k.role) && !mayGrant(to, k.role),
    ).length;
    await audit(trx, actor, {
      action: "operator.role",
      subject: { type: "operator", id: String(id) },
      details: { email: row.email, from: row.role, to, keysStopped },
      at: now,
    });
    return { kind: "changed", email: row.email, from: row.role, to, keysStopped };
  });
}
