import type { NextFunction, Request, Response } from "express";
import type { Knex } from "knex";
import { type AccessRole, findSession, type Operator, SESSION_COOKIE } from "../auth/sessions.ts";
import { verifyApiKey } from "../keys/api-keys.ts";
import { HttpError } from "./errors.ts";

declare module "express-serve-static-core" {
  interface Request {
    operator?: Operator;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined; // a malformed %-escape is no token
    }
  }
  return undefined;
}

export interface AuthOptions {
  /** Let an operator who must still replace their one-time password through (GET /api/me,
   * PUT /api/me/password): everything else answers 403 `password_change_required`. */
  beforePasswordChange?: boolean;
}

/**
 * Resolves the caller: a session cookie (operators in the console) or `Authorization: Bearer
 * sk_…` (a secret key, acting with its own role). `roles` undefined means every operator role;
 * the `metrics` key role passes only where `roles` names it. Admins pass every role check.
 */
export function requireAuth(knex: Knex, roles?: readonly AccessRole[], options: AuthOptions = {}) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const operator = await authenticate(knex, req);
    if (!operator)
      throw new HttpError(401, "unauthenticated", "log in, or send a secret key as a Bearer token");
    if (!mayAccess(operator.role, roles)) {
      throw new HttpError(403, "forbidden", `the ${operator.role} role cannot do this`);
    }
    if (operator.mustChangePassword && !options.beforePasswordChange) {
      throw new HttpError(
        403,
        "password_change_required",
        "choose your own password first (PUT /api/me/password)",
      );
    }
    req.operator = operator;
    next();
  };
}

/** The role rule of the route table: see `requireAuth`. */
export function mayAccess(role: AccessRole, roles: readonly AccessRole[] | undefined): boolean {
  if (role === "admin") return true;
  if (!roles) return role !== "metrics";
  return roles.includes(role);
}

/** Only the bearer of a secret key, or of a session cookie, is anyone. */
export async function authenticate(knex: Knex, req: Request): Promise<Operator | null> {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) {
    const key = await verifyApiKey(knex, auth.slice(7).trim(), "secret");
    if (!key?.role) return null;
    return {
      id: key.createdBy,
      email: `key:${key.name}`,
      name: key.name,
      role: key.role,
      mustChangePassword: false,
      via: { kind: "key", key: key.id },
    };
  }
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  return token ? findSession(knex, token, new Date()) : null;
}
