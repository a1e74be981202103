import { parseArgs } from "node:util";
import { type AccessRole, KEY_ROLES } from "../auth/sessions.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { migrateLatest } from "../db/migrate.ts";
import { createApiKey, type KeyKind, revokeApiKey } from "../keys/api-keys.ts";

const USAGE = `usage: waymark keys create --kind write|secret [--role ${KEY_ROLES.join("|")}] [--name NAME]
       waymark keys revoke <id>
A secret key acts with its role (default admin); a metrics key reads GET /metrics only.\n`;

/** `waymark keys …`: API keys for scripts, printed once (only a hash is stored). */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(
      `waymark keys: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`,
    );
    return 2;
  }
  const { positionals, values } = parsed;
  const [action, target] = positionals;
  try {
    const config = loadConfig();
    const db = await connect({ url: config.databaseUrl, pgliteDir: config.dataDir });
    try {
      await migrateLatest(db.knex);
      if (action === "create") {
        const kind = values.kind;
        if (kind !== "write" && kind !== "secret") {
          process.stderr.write(`waymark keys: --kind must be write or secret\n${USAGE}`);
          return 2;
        }
        const role = values.role ?? "admin";
        if (!isKeyRole(role) || (kind === "write" && values.role !== undefined)) {
          process.stderr.write(
            `waymark keys: --role is for secret keys, one of ${KEY_ROLES.join(", ")}\n${USAGE}`,
          );
          return 2;
        }
        const { id, key } = await createApiKey(
          db.knex,
          kind as KeyKind,
          values.name ?? `${kind} key`,
          null,
          role,
        );
        process.stdout.write(`${key}\n`);
        const what = kind === "secret" ? `secret key #${id} (${role})` : `write key #${id}`;
        process.stderr.write(`created ${what}; it is shown once — store it now\n`);
        return 0;
      }
      if (action === "revoke" && target && /^\d+$/.test(target)) {
        const ok = await revokeApiKey(db.knex, Number(target), new Date());
        process.stderr.write(ok ? `revoked key #${target}\n` : `no active key #${target}\n`);
        return ok ? 0 : 1;
      }
      process.stderr.write(USAGE);
      return 2;
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
