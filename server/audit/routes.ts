import type { Knex } from "knex";
import { z } from "zod";
import { AuditPageSchema } from "../api/common.ts";
import type { RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { selectAuditEntries } from "./sql/audit-log.ts";
import type { AuditEntry, AuditFilter } from "./types.ts";

// NUL cannot reach PostgreSQL (it is refused there as a 500); anything else just finds nothing.
const Text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes("\u0000"), "contains NUL");
export const AuditQuery = z.object({
  subjectType: Text(64).optional(),
  subjectId: Text(200).optional(),
  action: Text(64).optional(),
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** One page of entries and the cursor of the next (null: this was the last). */
export async function auditPage(
  knex: Knex,
  filter: AuditFilter,
): Promise<{ entries: AuditEntry[]; next: number | null }> {
  const entries = await selectAuditEntries(knex, filter);
  const last = entries.at(-1);
  return { entries, next: entries.length === filter.limit && last ? last.id : null };
}

/** The whole log, for admins: every audited action, filterable, newest first. */
export function auditRoutes(knex: Knex): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/audit",
      access: [],
      summary:
        "The audit log (admin): who did what, when — publish, pause, resume, archive, revert, import, settings changes, operators added, disabled or given another role; ?subjectType=&subjectId=&action=&before=&limit=",
      query: AuditQuery,
      responses: { 200: AuditPageSchema },
      async handler(req, res) {
        res.json(await auditPage(knex, parseBody(AuditQuery, req.query)));
      },
    },
  ];
}
