import type { Request } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { assertNever } from "../../engine/shared/assert-never.ts";
import {
  CreatedKey,
  CreatedOperator,
  DisabledOperator,
  KeyList,
  LookupList,
  OperatorList,
  PasswordChanged,
  Revoked,
  RoleChanged,
} from "../api/admin.ts";
import { ErrorBody } from "../api/common.ts";
import { actorFrom, audit } from "../audit/audit.ts";
import { credentialsEnded } from "../auth/ended.ts";
import { changeOperatorRole } from "../auth/operator-role.ts";
import { generatePassword, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { deleteOperatorSessions, KEY_ROLES, ROLES } from "../auth/sessions.ts";
import {
  disableOperator,
  insertOperator,
  listOperators,
  operatorEmailTaken,
  passwordHashOf,
  setPassword,
} from "../auth/sql/operators.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { text } from "../http/text.ts";
import { parseBody } from "../http/validate.ts";
import {
  countActiveKeys,
  createApiKey,
  listApiKeys,
  mayGrant,
  revokeApiKey,
} from "../keys/api-keys.ts";
import { listLookups } from "../privacy/lookup-audit.ts";

const NewKey = z.object({
  kind: z.enum(["write", "secret"]),
  name: text(1, 100)
    .transform((s) => s.trim())
    .pipe(z.string().min(1)),
  /** A secret key's role: at most the creator's (admins: any). Defaults to the creator's. */
  role: z.enum(KEY_ROLES).optional(),
});
const LookupQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const NewOperator = z.object({
  email: z.email().max(320),
  role: z.enum(ROLES),
  name: z.string().max(200).optional(),
});
const RoleBody = z.object({ role: z.enum(ROLES) });
const PasswordChange = z.object({
  current: text(1, 200),
  next: z
    .string()
    .min(12, "at least 12 characters")
    .max(200)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters"),
});

// Up to 15 digits: a safe integer within bigint, so a huge id is a 400 here, not a 500 from
// PostgreSQL.
const idParam = (raw: string) => {
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, "bad_id", "id must be a number");
  return Number(raw);
};

/**
 * Whose keys the caller manages: admins all (undefined), anyone else only the keys they made
 * (a key made with the CLI has no account behind it, so a non-admin one manages none: -1).
 */
const keyOwner = (req: Request): number | undefined =>
  req.operator?.role === "admin" ? undefined : (req.operator?.id ?? -1);

/** Keys (engineers: their own; admins: all), operators (admins) and one's own password. */
export function adminRoutes(knex: Knex): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/keys",
      access: ["engineer"],
      summary: "API keys with their roles and creators (never the key itself: it is stored hashed)",
      responses: { 200: KeyList },
      async handler(req, res) {
        const owner = keyOwner(req);
        const keys = await listApiKeys(knex, owner);
        res.json({ keys });
      },
    },
    {
      method: "post",
      path: "/api/keys",
      access: ["engineer"],
      summary:
        "Create a write key, or a secret key with a role no higher than yours; the key is in this response only",
      body: NewKey,
      responses: { 201: CreatedKey, 403: ErrorBody },
      async handler(req, res) {
        const body = parseBody(NewKey, req.body);
        const me = req.operator;
        if (!me) throw new HttpError(401, "unauthenticated", "log in first");
        if (body.kind === "write" && body.role)
          throw new HttpError(400, "invalid_body", "write keys have no role", [
            { path: "role", message: "only secret keys have a role" },
          ]);
        const role = body.role ?? me.role;
        if (body.kind === "secret" && !mayGrant(me.role, role))
          throw new HttpError(
            403,
            "forbidden",
            `the ${me.role} role can make ${me.role} and metrics keys, not ${role} keys`,
          );
        const created = await createApiKey(knex, body.kind, body.name, me.id, role);
        res.status(201).json({ ...created, role: body.kind === "secret" ? role : null });
      },
    },
    {
      method: "delete",
      path: "/api/keys/:id",
      access: ["engineer"],
      summary: "Revoke a key at once (engineers: the keys they made)",
      responses: { 200: Revoked, 404: ErrorBody },
      async handler(req, res) {
        const id = idParam(param(req, "id"));
        const ok = await revokeApiKey(knex, id, new Date(), keyOwner(req));
        if (!ok) throw new HttpError(404, "not_found", "no active key of yours with that id");
        credentialsEnded.announce({ kind: "key", key: id });
        res.json({ revoked: true });
      },
    },
    {
      method: "get",
      path: "/api/operators",
      access: [],
      summary: "Operators and their roles (admin)",
      responses: { 200: OperatorList },
      async handler(_req, res) {
        res.json({ operators: await listOperators(knex) });
      },
    },
    {
      method: "post",
      path: "/api/operators",
      access: [],
      summary: "Create an operator with a one-time password (in this response only)",
      body: NewOperator,
      responses: { 201: CreatedOperator, 409: ErrorBody },
      async handler(req, res) {
        const body = parseBody(NewOperator, req.body);
        const email = body.email.toLowerCase();
        if (await operatorEmailTaken(knex, email)) {
          throw new HttpError(409, "operator_exists", `${email} already has an account`);
        }
        const password = generatePassword();
        const passwordHash = await hashPassword(password);
        const id = await knex.transaction(async (trx) => {
          const id = await insertOperator(trx, {
            email,
            role: body.role,
            name: body.name ?? "",
            passwordHash,
          });
          await audit(trx, req, {
            action: "operator.create",
            subject: { type: "operator", id: String(id) },
            details: { email, role: body.role },
            at: new Date(),
          });
          return id;
        });
        res.status(201).json({ id, password });
      },
    },
    {
      method: "delete",
      path: "/api/operators/:id",
      access: [],
      summary:
        "Disable an operator: their sessions, sockets and secret keys stop at once (write keys keep ingesting)",
      responses: { 200: DisabledOperator, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const id = idParam(param(req, "id"));
        if (id === req.operator?.id)
          throw new HttpError(409, "self", "you cannot disable yourself");
        const disabled = await knex.transaction(async (trx) => {
          const row = await disableOperator(trx, id, new Date());
          if (!row) return false;
          await deleteOperatorSessions(trx, id);
          await audit(trx, req, {
            action: "operator.disable",
            subject: { type: "operator", id: String(id) },
            details: { email: row.email, role: row.role },
            at: new Date(),
          });
          return true;
        });
        if (!disabled) throw new HttpError(404, "not_found", "no active operator with that id");
        credentialsEnded.announce({ kind: "operator", operator: id });
        // Their secret keys are refused from now on (server/keys/api-keys.ts); their write keys
        // keep ingesting until revoked. Say how many of each, so the admin can decide.
        const keys = await countActiveKeys(knex, id);
        res.json({ disabled: true, keysStopped: keys.secret, writeKeysActive: keys.write });
      },
    },
    {
      method: "put",
      path: "/api/operators/:id/role",
      access: [],
      summary:
        "Change an operator's role (audited); not your own, not the last admin's. Their next request uses it; their sockets reconnect",
      body: RoleBody,
      responses: { 200: RoleChanged, 404: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const id = idParam(param(req, "id"));
        const body = parseBody(RoleBody, req.body);
        // A key acts for its creator: it cannot change its creator's role either.
        if (id === req.operator?.id)
          throw new HttpError(409, "self", "you cannot change your own role");
        const result = await changeOperatorRole(knex, actorFrom(req), id, body.role, new Date());
        switch (result.kind) {
          case "not_found":
            throw new HttpError(404, "not_found", "no active operator with that id");
          case "last_admin":
            throw new HttpError(
              409,
              "last_admin",
              "this is the last admin: make another operator admin first",
            );
          case "unchanged":
            res.json({ changed: false, role: result.role, keysStopped: 0 });
            return;
          case "changed":
            // Sockets were let in with the old role: they reconnect and are checked anew.
            credentialsEnded.announce({ kind: "role", operator: id });
            res.json({
              changed: true,
              role: result.to,
              from: result.from,
              keysStopped: result.keysStopped,
            });
            return;
          default:
            assertNever(result);
        }
      },
    },
    {
      method: "put",
      path: "/api/me/password",
      access: "any",
      summary:
        "Change your own password (required after the one-time password); ends your other sessions",
      body: PasswordChange,
      beforePasswordChange: true,
      responses: { 200: PasswordChanged, 403: ErrorBody, 409: ErrorBody },
      async handler(req, res) {
        const body = parseBody(PasswordChange, req.body);
        const me = req.operator;
        const id = me?.id;
        if (!id || me?.via.kind !== "session")
          throw new HttpError(409, "not_an_operator", "API keys have no password");
        const hash = await passwordHashOf(knex, id);
        if (hash === null || !(await verifyPassword(body.current, hash))) {
          throw new HttpError(403, "wrong_password", "the current password is wrong");
        }
        await setPassword(knex, id, await hashPassword(body.next));
        // Whoever else held a session (a stolen cookie, a forgotten laptop) is out now.
        const ended = await deleteOperatorSessions(knex, id, me.via.session);
        if (ended.length) credentialsEnded.announce({ kind: "sessions", sessions: ended });
        res.json({ changed: true, sessionsEnded: ended.length });
      },
    },
    {
      method: "get",
      path: "/api/audit/lookups",
      access: [],
      summary:
        "Who searched contacts by phone or email, when, how often they were throttled (phones as a blind index, emails masked)",
      query: LookupQuery,
      responses: { 200: LookupList },
      async handler(req, res) {
        const q = parseBody(LookupQuery, req.query);
        res.json({ lookups: await listLookups(knex, q.limit, q.before) });
      },
    },
  ];
}
