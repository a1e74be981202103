import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";
import { connect, DatabaseConnectError } from "../db/connect.ts";
import { migrateLatest } from "../db/migrate.ts";
import { createApiKey, type KeyKind, revokeApiKey } from "../keys/api-keys.ts";

const USAGE =
  "usage: waymark keys create --kind write|secret [--name NAME]\n       waymark keys revoke <id>\n";

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
        const { id, key } = await createApiKey(
          db.knex,
          kind as KeyKind,
          values.name ?? `${kind} key`,
          null,
        );
        process.stdout.write(`${key}\n`);
        process.stderr.write(`created ${kind} key #${id}; it is shown once — store it now\n`);
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
    options: { kind: { type: "string" }, name: { type: "string" } },
  });
}
