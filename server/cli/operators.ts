import { parseArgs } from "node:util";
import type { Knex } from "knex";
import { credentialsEnded } from "../auth/ended.ts";
import { generatePassword, hashPassword } from "../auth/passwords.ts";
import { deleteOperatorSessions, ROLES, type Role } from "../auth/sessions.ts";
import type { CommandIo } from "./admin-socket.ts";
import { runDatabaseCommand } from "./database-command.ts";

const USAGE = `usage: waymark operators create --email EMAIL --role ${ROLES.join("|")} [--name NAME]
       waymark operators list
       waymark operators disable --email EMAIL
       waymark operators reset-password --email EMAIL\n`;

/** `waymark operators …`: accounts for the console, for scripts and first set-up. */
export function run(args: string[]): Promise<number> {
  return runDatabaseCommand("operators", args, execute, "Settings → Operators");
}

/** The command itself, on whichever connection runs it: this process's or the server's. */
export async function execute(knex: Knex, args: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    io.err(`waymark operators: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const action = positionals[0];
  const usage = (problem: string) => {
    io.err(`waymark operators: ${problem}\n${USAGE}`);
    return 2;
  };
  const email = values.email?.trim().toLowerCase();
  const byEmail = () => knex("operators").whereRaw("lower(email) = ?", [email ?? ""]);
  switch (action) {
    case "create": {
      const role = values.role as Role | undefined;
      if (!email || !/^[^\s@]+@[^\s@]+$/.test(email))
        return usage("--email must be an email address");
      if (!role || !ROLES.includes(role)) {
        return usage(`--role must be one of ${ROLES.join(", ")}`);
      }
      if (await byEmail().first("id")) {
        io.err(`waymark operators: ${email} already exists\n`);
        return 1;
      }
      const password = generatePassword();
      await knex("operators").insert({
        email,
        name: values.name ?? "",
        role,
        password_hash: await hashPassword(password),
        must_change_password: true,
      });
      io.out(`${password}\n`);
      io.err(`created ${role} ${email}; the password above is shown once\n`);
      return 0;
    }
    case "list": {
      const rows = (await knex("operators")
        .orderBy("id")
        .select("id", "email", "role", "disabled_at")) as {
        id: number;
        email: string;
        role: string;
        disabled_at: Date | null;
      }[];
      for (const r of rows)
        io.out(`${r.id}\t${r.email}\t${r.role}${r.disabled_at ? "\tdisabled" : ""}\n`);
      return 0;
    }
    case "disable": {
      if (!email) return usage("--email is required");
      const ids = await knex.transaction(async (trx) => {
        const rows = (await trx("operators")
          .whereRaw("lower(email) = ?", [email])
          .whereNull("disabled_at")
          .update({ disabled_at: new Date() })
          .returning("id")) as { id: string | number }[];
        for (const { id } of rows) await deleteOperatorSessions(trx, Number(id));
        return rows.map((r) => Number(r.id));
      });
      // Run inside the server (admin socket), this ends their sockets and keys at once too.
      for (const id of ids) credentialsEnded.announce({ kind: "operator", operator: id });
      io.err(ids.length ? `disabled ${email}\n` : `no active operator ${email}\n`);
      return ids.length ? 0 : 1;
    }
    case "reset-password": {
      // The way back in when the one-time password was lost: a new one, to be changed at the
      // next login, and every session of the account ends.
      if (!email) return usage("--email is required");
      const password = generatePassword();
      const hash = await hashPassword(password);
      const { n, ended } = await knex.transaction(async (trx) => {
        const rows = (await trx("operators")
          .whereRaw("lower(email) = ?", [email])
          .update({ password_hash: hash, must_change_password: true })
          .returning("id")) as { id: string | number }[];
        const hashes: string[] = [];
        for (const { id } of rows) hashes.push(...(await deleteOperatorSessions(trx, Number(id))));
        return { n: rows.length, ended: hashes };
      });
      if (ended.length) credentialsEnded.announce({ kind: "sessions", sessions: ended });
      if (!n) {
        io.err(`waymark operators: no operator ${email}\n`);
        return 1;
      }
      io.out(`${password}\n`);
      io.err(
        `new one-time password for ${email} above; it is shown once and must be changed at login\n`,
      );
      return 0;
    }
    default:
      return usage(action ? `unknown action "${action}"` : "an action is required");
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { email: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
  });
}
