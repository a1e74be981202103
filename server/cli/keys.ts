import { parseArgs } from "node:util";
import type { Knex } from "knex";
import { credentialsEnded } from "../auth/ended.ts";
import { type AccessRole, KEY_ROLES } from "../auth/sessions.ts";
import { createApiKey, type KeyKind, revokeApiKey } from "../keys/api-keys.ts";
import type { CommandIo } from "./admin-socket.ts";
import { runDatabaseCommand } from "./database-command.ts";

const USAGE = `usage: waymark keys create --kind write|secret [--role ${KEY_ROLES.join("|")}] [--name NAME]
       waymark keys revoke <id>
A secret key acts with its role (default admin); a metrics key reads GET /metrics only.\n`;

/** `waymark keys …`: API keys for scripts, printed once (only a hash is stored). */
export function run(args: string[]): Promise<number> {
  return runDatabaseCommand("keys", args, execute, "Settings → API keys");
}

/** The command itself, on whichever connection runs it: this process's or the server's. */
export async function execute(knex: Knex, args: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    io.err(`waymark keys: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [action, target] = positionals;
  if (action === "create") {
    const kind = values.kind;
    if (kind !== "write" && kind !== "secret") {
      io.err(`waymark keys: --kind must be write or secret\n${USAGE}`);
      return 2;
    }
    const role = values.role ?? "admin";
    if (!isKeyRole(role) || (kind === "write" && values.role !== undefined)) {
      io.err(`waymark keys: --role is for secret keys, one of ${KEY_ROLES.join(", ")}\n${USAGE}`);
      return 2;
    }
    const { id, key } = await createApiKey(
      knex,
      kind as KeyKind,
      values.name ?? `${kind} key`,
      null,
      role,
    );
    io.out(`${key}\n`);
    const what = kind === "secret" ? `secret key #${id} (${role})` : `write key #${id}`;
    io.err(`created ${what}; it is shown once — store it now\n`);
    return 0;
  }
  if (action === "revoke" && target && /^\d+$/.test(target)) {
    const ok = await revokeApiKey(knex, Number(target), new Date());
    // Run inside the server (admin socket), this drops the key from ingest's cache and ends
    // its sockets at once, as a revocation through the API does.
    if (ok) credentialsEnded.announce({ kind: "key", key: Number(target) });
    io.err(ok ? `revoked key #${target}\n` : `no active key #${target}\n`);
    return ok ? 0 : 1;
  }
  io.err(USAGE);
  return 2;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { kind: { type: "string" }, name: { type: "string" }, role: { type: "string" } },
  });
}

function isKeyRole(role: string): role is AccessRole {
  return (KEY_ROLES as readonly string[]).includes(role);
}
