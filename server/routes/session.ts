import { Router } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { verifyPassword } from "../auth/passwords.ts";
import { createSession, deleteSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { readCookie, requireAuth } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { parseBody } from "../http/validate.ts";

const LoginBody = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(200),
});

export function sessionRoutes(knex: Knex, secureCookies: boolean): Router {
  const router = Router();

  router.post("/api/session", async (req, res) => {
    const body = parseBody(LoginBody, req.body);
    const row = (await knex("operators")
      .whereRaw("lower(email) = lower(?)", [body.email])
      .whereNull("disabled_at")
      .first("id", "password_hash")) as { id: string | number; password_hash: string } | undefined;
    // Same answer for an unknown email and a wrong password, so emails cannot be probed.
    if (!row || !(await verifyPassword(body.password, row.password_hash))) {
      throw new HttpError(401, "invalid_credentials", "email or password is wrong");
    }
    const { token, expiresAt } = await createSession(knex, Number(row.id), new Date());
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "lax",
      secure: secureCookies,
      expires: expiresAt,
      path: "/",
    });
    res.status(201).json({ ok: true });
  });

  router.delete("/api/session", async (req, res) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) await deleteSession(knex, token);
    res.clearCookie(SESSION_COOKIE, { path: "/" });
    res.status(204).end();
  });

  router.get("/api/me", requireAuth(knex), (req, res) => {
    res.json({ operator: req.operator });
  });

  return router;
}
