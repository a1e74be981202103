import { createContext, useContext } from "react";
import type { Permissions } from "./api.ts";

/**
 * The signed-in operator's permissions (GET /api/me, computed by the server from its route
 * table), for every page: a control the role may not use is not shown. Hiding is a courtesy —
 * the server refuses the call anyway. Without a provider (component tests) nothing is hidden.
 */
export const PermissionsContext = createContext<Permissions | null>(null);

/** Whether the operator may use `action`'s control. */
export function useCan(): (action: keyof Permissions) => boolean {
  const permissions = useContext(PermissionsContext);
  return (action) => permissions?.[action] ?? true;
}
