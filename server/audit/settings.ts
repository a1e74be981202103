import type { Request } from "express";
import type { Knex } from "knex";
import { fieldChanges } from "../../engine/diff/fields.ts";
import { audit } from "./audit.ts";

/**
 * A settings change, audited with the new policy and the fields that differ from the policy it
 * replaced (null when none was stored: the defaults applied). Runs inside the write's
 * transaction (runtime/policy.ts savePolicy), so a change is never left unaudited.
 */
export async function auditSettingsChange(
  trx: Knex.Transaction,
  req: Request,
  previous: unknown,
  policy: Record<string, unknown>,
  at: Date,
): Promise<void> {
  const changed =
    previous && typeof previous === "object"
      ? fieldChanges(previous as Record<string, unknown>, policy).map((c) => c.path.join("."))
      : null;
  await audit(trx, req, {
    action: "settings.update",
    subject: { type: "settings", id: "policy" },
    details: { changed, policy },
    at,
  });
}
