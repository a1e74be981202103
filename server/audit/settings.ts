import type { Request } from "express";
import type { Knex } from "knex";
import { fieldChanges } from "../../engine/diff/fields.ts";
import { audit } from "./audit.ts";
import { selectAuditEntries } from "./sql/audit-log.ts";

/**
 * A settings change, audited with the new policy and the fields that differ from the policy of
 * the previous audited change (null on the first one: there is nothing audited to compare
 * with). Called by PUT /api/settings once it has written the policy.
 */
export async function auditSettingsChange(
  knex: Knex,
  req: Request,
  policy: Record<string, unknown>,
): Promise<void> {
  const [previous] = await selectAuditEntries(knex, {
    subjectType: "settings",
    subjectId: "policy",
    action: "settings.update",
    limit: 1,
  });
  const changed = previous
    ? fieldChanges(previous.details.policy ?? {}, policy).map((c) => c.path.join("."))
    : null;
  await audit(knex, req, {
    action: "settings.update",
    subject: { type: "settings", id: "policy" },
    details: { changed, policy },
    at: new Date(),
  });
}
