import type { Knex } from "knex";
import { z } from "zod";
import { generatePassword, hashPassword, verifyPassword } from "../auth/passwords.ts";
import { ROLES } from "../auth/sessions.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { createApiKey, revokeApiKey } from "../keys/api-keys.ts";

const NewKey = z.object({
  kind: z.enum(["write", "secret"]),
  name: z.string().trim().min(1).max(100),
});
const NewOperator = z.object({
  email: z.email().max(320),
  role: z.enum(ROLES),
  name: z.string().max(200).optional(),
});
const PasswordChange = z.object({
  current: z.string().min(1).max(200),
  next: z.string().min(12, "at least 12 characters").max(200),
});

const idParam = (raw: string) => {
  if (!/^\d+$/.test(raw)) throw new HttpError(400, "bad_id", "id must be a number");
  return Number(raw);
};

/** Keys (engineers), operators (admins) and one's own password. */
export function adminRoutes(knex: Knex): RouteSpec[] {
  return [
    {
      method: "get",
      path: "/api/keys",
      access: ["engineer"],
      summary: "API keys (never the key itself: it is stored hashed)",
      async handler(_req, res) {
        const keys = await knex("api_keys")
          .orderBy("id", "desc")
          .select(
            "id",
            "kind",
            "name",
            "prefix",
            "created_at as createdAt",
            "last_used_at as lastUsedAt",
            "revoked_at as revokedAt",
          );
        res.json({ keys: keys.map((k: { id: string | number }) => ({ ...k, id: Number(k.id) })) });
      },
    },
    {
      method: "post",
      path: "/api/keys",
      access: ["engineer"],
      summary: "Create a write or secret key; the key is in this response only",
      body: NewKey,
      async handler(req, res) {
        const body = parseBody(NewKey, req.body);
        const created = await createApiKey(knex, body.kind, body.name, req.operator?.id || null);
        res.status(201).json(created);
      },
    },
    {
      method: "delete",
      path: "/api/keys/:id",
      access: ["engineer"],
      summary: "Revoke a key at once",
      async handler(req, res) {
        const ok = await revokeApiKey(knex, idParam(param(req, "id")), new Date());
        if (!ok) throw new HttpError(404, "not_found", "no active key with that id");
        res.json({ revoked: true });
      },
    },
    {
      method: "get",
      path: "/api/operators",
      access: [],
      summary: "Operators and their roles (admin)",
      async handler(_req, res) {
        const rows = await knex("operators")
          .orderBy("id")
          .select(
            "id",
            "email",
            "name",
            "role",
            "created_at as createdAt",
            "last_login_at as lastLoginAt",
            "disabled_at as disabledAt",
          );
        res.json({
          operators: rows.map((r: { id: string | number }) => ({ ...r, id: Number(r.id) })),
        });
      },
    },
    {
      method: "post",
      path: "/api/operators",
      access: [],
      summary: "Create an operator with a one-time password (in this response only)",
      body: NewOperator,
      async handler(req, res) {
        const body = parseBody(NewOperator, req.body);
        const email = body.email.toLowerCase();
        if (await knex("operators").whereRaw("lower(email) = ?", [email]).first("id")) {
          throw new HttpError(409, "operator_exists", `${email} already has an account`);
        }
        const password = generatePassword();
        const [row] = (await knex("operators")
          .insert({
            email,
            role: body.role,
            name: body.name ?? "",
            password_hash: await hashPassword(password),
            must_change_password: true,
          })
          .returning("id")) as { id: string | number }[];
        res.status(201).json({ id: Number(row?.id), password });
      },
    },
    {
      method: "delete",
      path: "/api/operators/:id",
      access: [],
      summary: "Disable an operator and end their sessions",
      async handler(req, res) {
        const id = idParam(param(req, "id"));
        if (id === req.operator?.id)
          throw new HttpError(409, "self", "you cannot disable yourself");
        const n = await knex("operators")
          .where({ id })
          .whereNull("disabled_at")
          .update({ disabled_at: new Date() });
        if (!n) throw new HttpError(404, "not_found", "no active operator with that id");
        await knex("sessions").where({ operator_id: id }).delete();
        res.json({ disabled: true });
      },
    },
    {
      method: "put",
      path: "/api/me/password",
      access: "any",
      summary: "Change your own password (required after the one-time password)",
      body: PasswordChange,
      async handler(req, res) {
        const body = parseBody(PasswordChange, req.body);
        const id = req.operator?.id;
        if (!id) throw new HttpError(409, "not_an_operator", "API keys have no password");
        const row = (await knex("operators").where({ id }).first("password_hash")) as
          | { password_hash: string }
          | undefined;
        if (!row || !(await verifyPassword(body.current, row.password_hash))) {
          throw new HttpError(403, "wrong_password", "the current password is wrong");
        }
        await knex("operators")
          .where({ id })
          .update({ password_hash: await hashPassword(body.next), must_change_password: false });
        res.json({ changed: true });
      },
    },
  ];
}
