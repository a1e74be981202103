import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { z } from "zod";
import { LoggedIn, Me, MePreferences, MePreferencesSaved } from "../api/admin.ts";
import { ErrorBody, NO_BODY } from "../api/common.ts";
import { credentialsEnded } from "../auth/ended.ts";
import { loginThrottle } from "../auth/login-throttle.ts";
import { hashPassword, verifyPassword } from "../auth/passwords.ts";
import type { Permissions } from "../auth/permissions.ts";
import { type AccessRole, createSession, deleteSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { activeOperatorByEmail, operatorLocale, setOperatorLocale } from "../auth/sql/operators.ts";
import { readCookie } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import type { RouteSpec } from "../http/routes.ts";
import { text } from "../http/text.ts";
import { parseBody } from "../http/validate.ts";

const LoginBody = z.object({
  email: text(1, 320),
  password: text(1, 200),
});

export interface SessionOptions {
  secureCookies: boolean;
  /** What each role may do in the console (server/auth/permissions.ts), for GET /api/me. */
  permissions: (role: AccessRole) => Permissions;
  /** The throttle's clock, for tests. */
  now?: () => number;
}

/**
 * Signing in and out, and who the caller is: in the route table like every other route (the
 * OpenAPI document lists them), public but for GET /api/me.
 */
export function sessionRoutes(knex: Knex, options: SessionOptions): RouteSpec[] {
  const throttle = loginThrottle(options.now);
  // An unknown email costs the same scrypt verification as a wrong password for a known one:
  // without it the answer came ~15× sooner, which told who has an account.
  const nobody = hashPassword(randomBytes(16).toString("base64url"));
  return [
    {
      method: "post",
      path: "/api/session",
      access: "public",
      summary:
        "Sign in with email and password: sets the session cookie; attempts are throttled per address and email",
      body: LoginBody,
      responses: { 201: LoggedIn, 401: ErrorBody, 429: ErrorBody },
      async handler(req, res) {
        const body = parseBody(LoginBody, req.body);
        const attempt = throttle.attempt(req.ip ?? "", body.email);
        if (!attempt.ok) {
          res.setHeader("Retry-After", String(attempt.retryAfter));
          throw new HttpError(
            429,
            "too_many_logins",
            `too many attempts; retry in ${attempt.retryAfter} s`,
          );
        }
        const row = await activeOperatorByEmail(knex, body.email);
        const valid = await verifyPassword(body.password, row?.passwordHash ?? (await nobody));
        attempt.done(valid && row !== null);
        // Same answer for an unknown email and a wrong password, so emails cannot be probed.
        if (row === null || !valid) {
          throw new HttpError(401, "invalid_credentials", "email or password is wrong");
        }
        const { token, expiresAt } = await createSession(knex, row.id, new Date());
        res.cookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: "lax",
          secure: options.secureCookies,
          expires: expiresAt,
          path: "/",
        });
        res.status(201).json({ ok: true });
      },
    },
    {
      method: "delete",
      path: "/api/session",
      access: "public",
      summary: "Sign out: ends the session of the cookie sent, if any, and clears the cookie",
      responses: { 204: NO_BODY },
      async handler(req, res) {
        const token = readCookie(req.headers.cookie, SESSION_COOKIE);
        const ended = token ? await deleteSession(knex, token) : null;
        if (ended) credentialsEnded.announce({ kind: "sessions", sessions: [ended] });
        res.clearCookie(SESSION_COOKIE, { path: "/" });
        res.status(204).end();
      },
    },
    {
      method: "get",
      path: "/api/me",
      access: "any",
      summary: "Who is calling: the operator, how they signed in, and what their role may do",
      // The console reads it to show the password change an operator still owes.
      beforePasswordChange: true,
      responses: { 200: Me },
      async handler(req, res) {
        const op = req.operator;
        // A key has no console, so no language of its own: null, the browser's.
        const locale =
          op?.id && op.via.kind === "session" ? await operatorLocale(knex, op.id) : null;
        res.json({
          operator: op && {
            id: op.id,
            email: op.email,
            name: op.name,
            role: op.role,
            mustChangePassword: op.mustChangePassword,
            via: op.via.kind,
            permissions: options.permissions(op.role),
            locale,
          },
        });
      },
    },
    {
      method: "patch",
      path: "/api/me",
      access: "any",
      summary:
        "Change your own console preferences: `locale` is the language the console shows you (null: follow the browser)",
      body: MePreferences,
      responses: { 200: MePreferencesSaved, 409: ErrorBody },
      async handler(req, res) {
        const body = parseBody(MePreferences, req.body);
        const me = req.operator;
        if (!me?.id || me.via.kind !== "session")
          throw new HttpError(409, "not_an_operator", "API keys have no console preferences");
        if (body.locale !== undefined) await setOperatorLocale(knex, me.id, body.locale);
        res.json({ locale: await operatorLocale(knex, me.id) });
      },
    },
  ];
}
