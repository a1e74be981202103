/**
 * The `waymark` command. Each subcommand lives in its own module exporting
 * `run(args: string[]): Promise<number>` (the exit code), loaded on demand so that
 * `waymark validate` never opens a database and `waymark start` never loads the simulator.
 */
const commands: Record<
  string,
  { load: () => Promise<{ run: (args: string[]) => Promise<number> }>; help: string }
> = {
  start: {
    load: () => import("./start.ts"),
    help: "migrate, seed on first run, serve on :3000 with the ticker",
  },
  migrate: {
    load: () => import("./migrate.ts"),
    help: "run database migrations (--down to roll back one batch)",
  },
  worker: {
    load: () => import("./worker.ts"),
    help: "run the ticker and delivery only (needs DATABASE_URL); start several to scale out",
  },
  operators: {
    load: () => import("./operators.ts"),
    help: "operators create --email E --role admin|marketer|support|engineer | list | disable --email E",
  },
  keys: {
    load: () => import("./keys.ts"),
    help: "keys create --kind write|secret [--name N] | keys revoke <id>",
  },
  validate: {
    load: () => import("./validate.ts"),
    help: "validate <journey.json>: print issues, exit 1 on errors",
  },
  openapi: { load: () => import("./openapi.ts"), help: "print the API's OpenAPI document" },
  "vapid-keys": {
    load: () => import("./vapid-keys.ts"),
    help: "vapid-keys [--subject mailto:…]: a VAPID key pair for web push, as the settings to set",
  },
  schema: { load: () => import("./schema.ts"), help: "print the journey format's JSON Schema" },
  diff: {
    load: () => import("./diff.ts"),
    help: "diff <before.json> <after.json> [--json]: steps added, removed, changed; exit 1 when they differ",
  },
  export: {
    load: () => import("./export.ts"),
    help: "export <journey-id> [--version N] [--out F]: canonical JSON from a running server (WAYMARK_URL, WAYMARK_API_KEY)",
  },
  import: {
    load: () => import("./import.ts"),
    help: "import <journey.json> [--mode new|replace_draft]: to a running server; an existing id is refused with its diff",
  },
  simulate: {
    load: () => import("./simulate.ts"),
    help: "simulate <journey.json> --contact <c.json> --events <e.json> [--from ISO] [--until ISO] [--json]",
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.help}`);
  return `usage: waymark <command> [args]\n\n${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`waymark: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  const mod = await command.load();
  return mod.run(args);
}

const code = await main(process.argv.slice(2));
// start keeps serving; every other command ends with its exit code.
if (code !== -1) process.exitCode = code;

export {};
