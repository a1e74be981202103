import type { NextFunction, Request, Response } from "express";
import type { Knex } from "knex";
import { findSession, type Operator, type Role, SESSION_COOKIE } from "../auth/sessions.ts";
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

/** Resolves the session cookie to an operator and refuses roles outside `roles` (403). */
export function requireOperator(knex: Knex, roles?: readonly Role[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const operator = token ? await findSession(knex, token, new Date()) : null;
    if (!operator) throw new HttpError(401, "unauthenticated", "log in first");
    if (roles && operator.role !== "admin" && !roles.includes(operator.role)) {
      throw new HttpError(403, "forbidden", `the ${operator.role} role cannot do this`);
    }
    req.operator = operator;
    next();
  };
}
