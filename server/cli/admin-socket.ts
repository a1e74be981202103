import { createHash, timingSafeEqual } from "node:crypto";
import { chmodSync, unlinkSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Knex } from "knex";
import type { Logger } from "../log.ts";

/** Where a command writes: the terminal when run directly, a buffer when run for a socket. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** A CLI command that needs the database: parses `args` itself, returns the exit code. */
export type DatabaseCommand = (knex: Knex, args: string[], io: CommandIo) => Promise<number>;

/**
 * The commands a running server runs for the CLI. Only these: they are what the README tells
 * people to type, and each is a short statement or two on the server's own connection. The
 * arguments are forwarded untouched, so an option added to a command works routed too.
 */
const ROUTABLE = new Map<string, () => Promise<{ execute: DatabaseCommand }>>([
  ["keys", () => import("./keys.ts")],
  ["operators", () => import("./operators.ts")],
]);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The admin socket of a server on PGlite: a Unix socket in the data folder (a short path in the
 * temp folder when the folder's path is too long for one), mode 0600, so only the local user who
 * runs the server reaches it; each request also carries the token from the lock file, which is
 * 0600 too. Plain HTTP over the socket: one POST per command.
 */
export function adminSocketPath(dir: string): string {
  const inside = join(dir, "admin.sock");
  // sun_path holds 108 bytes on Linux, 104 on macOS, including the terminating NUL.
  if (Buffer.byteLength(inside) < 100) return inside;
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 16);
  return join(tmpdir(), `waymark-${hash}.sock`);
}

export interface AdminSocket {
  close(): Promise<void>;
}

export async function serveAdminSocket(options: {
  dir: string;
  token: string;
  knex: Knex;
  log: Logger;
}): Promise<AdminSocket> {
  const path = adminSocketPath(options.dir);
  const expected = Buffer.from(options.token);
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/command") return answer(404, { error: "not found" });
    // Read to the end (answering mid-body would reset the caller's connection before it reads
    // the answer), keeping at most 64 KiB.
    let raw = "";
    let tooLarge = false;
    req.setEncoding("utf8");
    for await (const chunk of req) {
      if (raw.length + String(chunk).length > 65_536) tooLarge = true;
      else raw += String(chunk);
    }
    if (tooLarge) return answer(413, { error: "request too large" });
    const body = parseRequest(raw);
    if (!body) return answer(400, { error: "expected {token, command, args}" });
    const given = Buffer.from(body.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return answer(403, { error: "wrong token" });
    }
    const load = ROUTABLE.get(body.command);
    if (!load) return answer(404, { error: `command ${body.command} is not run by the server` });
    let stdout = "";
    let stderr = "";
    const io: CommandIo = {
      out: (t) => {
        stdout += t;
      },
      err: (t) => {
        stderr += t;
      },
    };
    try {
      const { execute } = await load();
      const code = await execute(options.knex, body.args, io);
      options.log.info({ command: body.command, action: body.args[0], code }, "admin socket");
      answer(200, { code, stdout, stderr } satisfies CommandResult);
    } catch (err) {
      options.log.error({ err, command: body.command }, "admin socket command failed");
      answer(200, {
        code: 1,
        stdout,
        stderr: `${stderr}waymark: the server could not do it: ${message(err)}\n`,
      });
    }
  });
  // A kill -9'd owner leaves its socket file; we hold the lock, so it is not anyone's now.
  unlinkQuietly(path);
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    // The socket is created by bind() inside listen(): the umask makes it 0600 from the start.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off("error", fail);
        done();
      });
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  // An accept error after listening must not become an unhandled 'error' event.
  server.on("error", (err) => options.log.warn({ err }, "admin socket error"));
  return {
    async close() {
      await new Promise<void>((done) => server.close(() => done()));
      unlinkQuietly(path);
    },
  };
}

/** Runs `command args` in the server that owns `dir`; "unreachable" when nobody answers. */
export function callAdminSocket(
  dir: string,
  token: string,
  command: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<CommandResult | "unreachable"> {
  const payload = JSON.stringify({ token, command, args });
  return new Promise((done, fail) => {
    const req = request(
      {
        socketPath: adminSocketPath(dir),
        path: "/command",
        method: "POST",
        headers: { "content-type": "application/json" },
        timeout: timeoutMs,
      },
      (res) => {
        let raw = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          raw += d;
        });
        res.on("end", () => {
          const result = parseResult(raw);
          if (res.statusCode === 200 && result) done(result);
          else fail(new Error(`the server's admin socket answered ${res.statusCode}: ${raw}`));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from the server in ${timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "ECONNREFUSED") done("unreachable");
      else fail(err);
    });
    req.end(payload);
  });
}

function parseRequest(raw: string): { token: string; command: string; args: string[] } | null {
  try {
    const v = JSON.parse(raw) as { token?: unknown; command?: unknown; args?: unknown };
    if (typeof v.token !== "string" || typeof v.command !== "string") return null;
    if (!Array.isArray(v.args) || !v.args.every((a) => typeof a === "string")) return null;
    return { token: v.token, command: v.command, args: v.args as string[] };
  } catch {
    return null;
  }
}

function parseResult(raw: string): CommandResult | null {
  try {
    const v = JSON.parse(raw) as Partial<CommandResult>;
    if (typeof v.code !== "number" || typeof v.stdout !== "string" || typeof v.stderr !== "string")
      return null;
    return { code: v.code, stdout: v.stdout, stderr: v.stderr };
  } catch {
    return null;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function unlinkQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}
