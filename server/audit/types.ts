/**
 * The audit log's vocabulary.
 *
 * - actor: who acted. An operator signed in to the console, an API key (scripts, the CLI's
 *   `export`/`import`), or the system (seeding, jobs). `role` is the role the actor acted with.
 * - action: `<subject>.<verb>`, e.g. `journey.publish`, `settings.update`. New audited actions
 *   need no schema change: pick a name, call `audit()`.
 * - subject: what was acted on, as a type and an id (`journey` / `win-back`).
 * - details: what happened, as JSON the console and the API show as is.
 */

export type AuditActor =
  | { kind: "operator"; id: number | null; name: string; role: string | null }
  | { kind: "key"; id: number | null; name: string; role: string | null }
  | { kind: "system"; name: string };

export interface AuditSubject {
  type: string;
  id: string | null;
}

export interface AuditEntry {
  id: number;
  at: Date;
  actor: AuditActor;
  action: string;
  subject: AuditSubject;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  action?: string | undefined;
  /** Entries older than this id: the paging cursor (`next` of the previous page). */
  before?: number | undefined;
  limit: number;
}

export const SYSTEM_ACTOR: AuditActor = { kind: "system", name: "system" };
