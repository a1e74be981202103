import { parseArgs } from "node:util";
import { generatePassword, hashPassword } from "../auth/passwords.ts";
import { ROLES, type Role } from "../auth/sessions.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { migrateLatest } from "../db/migrate.ts";

const USAGE = `usage: waymark operators create --email EMAIL --role ${ROLES.join("|")} [--name NAME]
       waymark operators list
       waymark operators disable --email EMAIL\n`;

/** `waymark operators …`: accounts for the console, for scripts and first set-up. */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(
      `waymark operators: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`,
    );
    return 2;
  }
  const { positionals, values } = parsed;
  const action = positionals[0];
  try {
    const config = loadConfig();
    const db = await connect({ url: config.databaseUrl, pgliteDir: config.dataDir });
    try {
      await migrateLatest(db.knex);
      switch (action) {
        case "create": {
          const email = values.email?.trim().toLowerCase();
          const role = values.role as Role | undefined;
          if (!email || !/^[^\s@]+@[^\s@]+$/.test(email))
            return usage("--email must be an email address");
          if (!role || !ROLES.includes(role))
            return usage(`--role must be one of ${ROLES.join(", ")}`);
          const exists = await db
            .knex("operators")
            .whereRaw("lower(email) = ?", [email])
            .first("id");
          if (exists) {
            process.stderr.write(`waymark operators: ${email} already exists\n`);
            return 1;
          }
          const password = generatePassword();
          await db.knex("operators").insert({
            email,
            name: values.name ?? "",
            role,
            password_hash: await hashPassword(password),
            must_change_password: true,
          });
          process.stdout.write(`${password}\n`);
          process.stderr.write(`created ${role} ${email}; the password above is shown once\n`);
          return 0;
        }
        case "list": {
          const rows = (await db
            .knex("operators")
            .orderBy("id")
            .select("id", "email", "role", "disabled_at")) as {
            id: number;
            email: string;
            role: string;
            disabled_at: Date | null;
          }[];
          for (const r of rows)
            process.stdout.write(
              `${r.id}\t${r.email}\t${r.role}${r.disabled_at ? "\tdisabled" : ""}\n`,
            );
          return 0;
        }
        case "disable": {
          const email = values.email?.trim().toLowerCase();
          if (!email) return usage("--email is required");
          const n = await db
            .knex("operators")
            .whereRaw("lower(email) = ?", [email])
            .update({ disabled_at: new Date() });
          await db
            .knex("sessions")
            .whereIn(
              "operator_id",
              db.knex("operators").whereRaw("lower(email) = ?", [email]).select("id"),
            )
            .delete();
          process.stderr.write(n ? `disabled ${email}\n` : `no operator ${email}\n`);
          return n ? 0 : 1;
        }
        default:
          return usage(action ? `unknown action "${action}"` : "an action is required");
      }
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DatabaseConnectError) {
      process.stderr.write(`waymark: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function usage(problem: string): number {
  process.stderr.write(`waymark operators: ${problem}\n${USAGE}`);
  return 2;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { email: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
  });
}
