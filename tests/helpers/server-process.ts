import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NODE_FLAGS } from "../../server/cli/node-flags.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "bin/waymark.js");

export function tempDir(prefix = "waymark-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Started {
  child: ChildProcess;
  url: string;
  stdout: string;
  /** The one-time admin password, when this start created the admin. */
  adminPassword: string | null;
  stop(): Promise<number | null>;
}

/**
 * Runs `waymark start` as a real child process on an ephemeral port and waits for its banner,
 * which is what a user sees; the URL and one-time password are read from it.
 */
export async function startWaymark(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Started> {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, "start"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((done, fail) => {
    // A start that never printed its banner is killed: left running, it would hold its port
    // and a core for the rest of the run (a loaded machine left a dozen behind).
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`no banner after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    const check = () => {
      const m = /running at (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        done(m[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`waymark start exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
  const password = /one-time password: (\S+)/.exec(stdout)?.[1] ?? null;
  return {
    child,
    url,
    stdout,
    adminPassword: password,
    stop: () =>
      new Promise((done) => {
        // A child killed by a signal has no exit code, only a signalCode.
        if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
        child.once("exit", (code) => done(code));
        child.kill("SIGTERM");
      }),
  };
}

/** Runs the CLI to completion and returns what it printed. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    // "close", not "exit": what the command printed last may still be in the pipe at exit.
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
