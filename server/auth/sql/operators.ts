import type { Knex } from "knex";

/*
 * Operators as sign-in reads them. Emails compare case-insensitively (people type them either
 * way), and a disabled operator is nobody: the same answer as an unknown email.
 */
export async function activeOperatorByEmail(
  knex: Knex,
  email: string,
): Promise<{ id: number; passwordHash: string } | null> {
  const row = (await knex("operators")
    .whereRaw("lower(email) = lower(?)", [email])
    .whereNull("disabled_at")
    .first("id", "password_hash")) as { id: string | number; password_hash: string } | undefined;
  return row ? { id: Number(row.id), passwordHash: row.password_hash } : null;
}

type Db = Knex | Knex.Transaction;

/** Operators for the admin's list, oldest first; ids as numbers whatever the driver. */
export async function listOperators(db: Db) {
  const rows = (await db("operators")
    .orderBy("id")
    .select(
      "id",
      "email",
      "name",
      "role",
      "created_at as createdAt",
      "last_login_at as lastLoginAt",
      "disabled_at as disabledAt",
    )) as { id: string | number; [column: string]: unknown }[];
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Whether an account (disabled ones too) has this email, compared lower-cased. */
export async function operatorEmailTaken(db: Db, email: string): Promise<boolean> {
  return (await db("operators").whereRaw("lower(email) = ?", [email]).first("id")) !== undefined;
}

/** A new operator on a one-time password (they must change it before anything else). */
export async function insertOperator(
  db: Db,
  o: { email: string; role: string; name: string; passwordHash: string },
): Promise<number> {
  const [row] = (await db("operators")
    .insert({
      email: o.email,
      role: o.role,
      name: o.name,
      password_hash: o.passwordHash,
      must_change_password: true,
    })
    .returning("id")) as { id: string | number }[];
  return Number(row?.id);
}

/** Disables an active operator; their email and role for the audit, or null if none was active. */
export async function disableOperator(
  db: Db,
  id: number,
  at: Date,
): Promise<{ email: string; role: string } | null> {
  const [row] = (await db("operators")
    .where({ id })
    .whereNull("disabled_at")
    .update({ disabled_at: at })
    .returning(["email", "role"])) as { email: string; role: string }[];
  return row ?? null;
}

export async function passwordHashOf(db: Db, id: number): Promise<string | null> {
  const row = (await db("operators").where({ id }).first("password_hash")) as
    | { password_hash: string }
    | undefined;
  return row?.password_hash ?? null;
}

/** A password the operator chose: the one-time password's obligation is met. */
export async function setPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db("operators")
    .where({ id })
    .update({ password_hash: passwordHash, must_change_password: false });
}

/*
 * The console language an operator chose (null: the browser's). Read beside the session rather
 * than in it: only GET /api/me needs it, not every authenticated request.
 */
export async function operatorLocale(db: Db, id: number): Promise<string | null> {
  const row = (await db("operators").where({ id }).first("locale")) as
    | { locale: string | null }
    | undefined;
  return row?.locale ?? null;
}

export async function setOperatorLocale(db: Db, id: number, locale: string | null): Promise<void> {
  await db("operators").where({ id }).update({ locale });
}
