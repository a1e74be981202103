import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  acquireDataDirLock,
  DataDirLockedError,
  describeOwner,
  displayPath,
  liveOwner,
  lockPath,
} from "../../server/db/lock.ts";
import { ROOT, tempDir } from "../helpers/server-process.ts";

const CONTENDER = join(import.meta.dirname, "lock-contender.ts");

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(r.stdout.toString());
}

function staleLock(dir: string, pid: number, extra: Record<string, unknown> = {}) {
  writeFileSync(
    lockPath(dir),
    JSON.stringify({
      pid,
      host: hostname(),
      procStart: null,
      nonce: `stale${pid}`,
      command: "start",
      token: "t",
      at: "2026-01-01T00:00:00Z",
      ...extra,
    }),
  );
}

/** `n` processes try to take `dir` at the same instant; returns their answers. */
async function race(dir: string, n: number): Promise<string[]> {
  const startAt = Date.now() + 1500;
  const runs = Array.from(
    { length: n },
    () =>
      new Promise<string>((done) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", CONTENDER, dir, String(startAt), "1500"],
          {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        // "close", not "exit": the output may still be in the pipe when the process exits.
        child.on("close", () => done(out.trim()));
      }),
  );
  return Promise.all(runs);
}

describe("one owner per data folder", () => {
  it("refuses a second owner while the first holds it, naming its pid; free again after release", () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, "start");
    expect(statSync(lockPath(dir)).mode & 0o777).toBe(0o600);
    let refused: unknown;
    try {
      acquireDataDirLock(dir, "keys");
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as DataDirLockedError).owner.pid).toBe(process.pid);
    expect((refused as Error).message).toBe(`the server (pid ${process.pid}) is using ${dir}`);
    expect(liveOwner(dir)?.token).toBe(lock.owner.token);
    lock.release();
    expect(existsSync(lockPath(dir))).toBe(false);
    expect(liveOwner(dir)).toBeNull();
    acquireDataDirLock(dir, "migrate").release();
  });

  it("takes over from a dead owner, a reused pid and an unreadable file at once", () => {
    const dir = tempDir();
    staleLock(dir, deadPid());
    expect(liveOwner(dir)).toBeNull();
    const a = acquireDataDirLock(dir, "start");
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).pid).toBe(process.pid);
    a.release();
    // Our own pid, but a process start time that is not ours: the pid was reused.
    staleLock(dir, process.pid, { procStart: "1" });
    const b = acquireDataDirLock(dir, "start");
    b.release();
    writeFileSync(lockPath(dir), "\0\0garbage");
    const c = acquireDataDirLock(dir, "start");
    c.release();
  });

  it("creates a folder that does not exist yet (a CLI command before the first start)", () => {
    const dir = join(tempDir(), "fresh", ".waymark");
    const lock = acquireDataDirLock(dir, "keys");
    expect(existsSync(lockPath(dir))).toBe(true);
    lock.release();
  });

  it("shows a folder under the working directory as ./name", () => {
    expect(displayPath(join(process.cwd(), ".waymark"))).toBe("./.waymark");
    expect(displayPath("/somewhere/else")).toBe("/somewhere/else");
  });

  it("a release does not remove a lock that is no longer ours", () => {
    const dir = tempDir();
    const mine = acquireDataDirLock(dir, "start");
    staleLock(dir, 1, { nonce: "someoneelse" });
    mine.release();
    expect(existsSync(lockPath(dir))).toBe(true);
  });

  it("describes CLI owners by their command", () => {
    expect(
      describeOwner({
        pid: 7,
        host: hostname(),
        procStart: null,
        nonce: "n",
        command: "migrate",
        token: "",
        at: "",
      }),
    ).toBe("`waymark migrate` (pid 7)");
  });

  it("six processes racing for a free folder, then for a dead owner's: exactly one wins each time", async () => {
    const dir = tempDir();
    for (const setUp of [() => {}, () => staleLock(dir, deadPid())]) {
      setUp();
      const answers = await race(dir, 6);
      expect(answers.filter((a) => a !== "WON" && !/^LOST \d+$/.test(a))).toEqual([]);
      expect(answers.filter((a) => a === "WON")).toHaveLength(1);
      expect(answers.filter((a) => a.startsWith("LOST"))).toHaveLength(5);
      // Every loser names the same winner.
      expect(new Set(answers.filter((a) => a.startsWith("LOST"))).size).toBe(1);
      expect(existsSync(lockPath(dir))).toBe(false);
    }
  }, 60_000);
});
