import { mayAccess } from "../http/auth.ts";
import type { RouteSpec } from "../http/routes.ts";
import type { AccessRole } from "./sessions.ts";

/**
 * What the console shows, named after the route each control calls. The console hides a
 * control its operator's role may not use; which roles may use it is read from the route table's
 * `access` lists (server/routes/*.ts), so there is no second, hand-kept table of roles to drift
 * from the one the server enforces.
 */
export const CONSOLE_ACTIONS = {
  createJourney: ["post", "/api/journeys"],
  editJourney: ["put", "/api/journeys/:id"],
  archiveJourney: ["delete", "/api/journeys/:id"],
  unarchiveJourney: ["post", "/api/journeys/:id/unarchive"],
  publishJourney: ["post", "/api/journeys/:id/publish"],
  pauseJourney: ["post", "/api/journeys/:id/pause"],
  resumeJourney: ["post", "/api/journeys/:id/resume"],
  duplicateJourney: ["post", "/api/journeys/:id/duplicate"],
  revertJourney: ["post", "/api/journeys/:id/revert"],
  discardDraft: ["post", "/api/journeys/:id/discard-draft"],
  exportJourney: ["get", "/api/journeys/:id/export"],
  importJourney: ["post", "/api/journeys/import"],
  testSend: ["post", "/api/journeys/:id/test-send"],
  optOutContact: ["post", "/api/contacts/:id/opt-out"],
  optInContact: ["post", "/api/contacts/:id/opt-in"],
  editConsent: ["put", "/api/contacts/:id/consent"],
  enroll: ["post", "/api/journeys/:id/enroll"],
  editAudience: ["post", "/api/audiences"],
  manageKeys: ["get", "/api/keys"],
  manageOperators: ["get", "/api/operators"],
  editSettings: ["put", "/api/settings"],
  readAudit: ["get", "/api/audit"],
} as const satisfies Record<string, readonly [RouteSpec["method"], string]>;

export type ConsoleAction = keyof typeof CONSOLE_ACTIONS;
export type Permissions = Record<ConsoleAction, boolean>;

/**
 * A role's permissions, computed from the route table once per role. A named route missing from
 * the table throws here, at start-up, so renaming a route cannot silently hide a control (or
 * show one that answers 404).
 */
export function permissionsFrom(routes: readonly RouteSpec[]): (role: AccessRole) => Permissions {
  const access = new Map(routes.map((r) => [`${r.method} ${r.path}`, r.access]));
  const entries = Object.entries(CONSOLE_ACTIONS) as [ConsoleAction, readonly [string, string]][];
  for (const [action, [method, path]] of entries) {
    if (!access.has(`${method} ${path}`))
      throw new Error(`console action ${action}: no route ${method.toUpperCase()} ${path}`);
  }
  const cache = new Map<AccessRole, Permissions>();
  return (role) => {
    const known = cache.get(role);
    if (known) return known;
    const computed = Object.fromEntries(
      entries.map(([action, [method, path]]) => {
        const rule = access.get(`${method} ${path}`);
        const allowed =
          rule === "public" ||
          (rule !== undefined && mayAccess(role, rule === "any" ? undefined : rule));
        return [action, allowed];
      }),
    ) as Permissions;
    cache.set(role, computed);
    return computed;
  };
}
