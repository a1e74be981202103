import type { NextFunction, Request, Response } from "express";
import type { Knex } from "knex";
import { findSession, type Operator, type Role, SESSION_COOKIE } from "../auth/sessions.ts";
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
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Resolves the caller: a session cookie (operators in the console) or `Authorization: Bearer
 * sk_…` (a secret API key, which acts with the admin role for scripts). Refuses roles outside
 * `roles` with 403.
 */
export function requireAuth(knex: Knex, roles?: readonly Role[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const operator = await authenticate(knex, req);
    if (!operator)
      throw new HttpError(401, "unauthenticated", "log in, or send a secret key as a Bearer token");
    if (roles && operator.role !== "admin" && !roles.includes(operator.role)) {
      throw new HttpError(403, "forbidden", `the ${operator.role} role cannot do this`);
    }
    req.operator = operator;
    next();
  };
}

export async function authenticate(knex: Knex, req: Request): Promise<Operator | null> {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) {
    const key = await verifyApiKey(knex, auth.slice(7).trim(), "secret");
    return key
      ? {
          id: 0,
          email: `key:${key.name}`,
          name: key.name,
          role: "admin",
          mustChangePassword: false,
        }
      : null;
  }
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  return token ? findSession(knex, token, new Date()) : null;
}
