import type { Knex } from "knex";
import { hashPassword } from "../../../server/auth/passwords.ts";
import type { Role } from "../../../server/auth/sessions.ts";

export const PASSWORD = "correct horse battery staple";

/** An operator row (scrypt is slow: one hash, reused). */
let hashed: Promise<string> | null = null;
export async function createOperator(
  knex: Knex,
  role: Role,
  options: { mustChangePassword?: boolean; email?: string } = {},
): Promise<{ id: number; email: string }> {
  hashed ??= hashPassword(PASSWORD);
  const email = options.email ?? `${role}-${Math.random().toString(36).slice(2, 10)}@example.test`;
  const [row] = (await knex("operators")
    .insert({
      email,
      name: role,
      role,
      password_hash: await hashed,
      must_change_password: options.mustChangePassword ?? false,
    })
    .returning("id")) as { id: string | number }[];
  return { id: Number(row?.id), email };
}

export interface Answer {
  status: number;
  /** The JSON body; `{ text }` when it was not JSON (e.g. /metrics). */
  body: Record<string, unknown>;
  headers: Headers;
}

/** One request to the app: JSON in and out, with a cookie or a Bearer key when given. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: {
    cookie?: string;
    bearer?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(base + path, {
    method,
    headers,
    body:
      options.body === undefined
        ? null
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = { text };
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: res.status, body: body as Record<string, unknown>, headers: res.headers };
}

/** Logs in through POST /api/session (from `ip`, via X-Forwarded-For); returns the Cookie. */
export async function login(
  base: string,
  email: string,
  password = PASSWORD,
  ip?: string,
): Promise<string> {
  const res = await call(base, "POST", "/api/session", {
    body: { email, password },
    headers: ip ? { "x-forwarded-for": ip } : {},
  });
  if (res.status !== 201)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("login set no cookie");
  return cookie;
}
