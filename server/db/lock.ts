import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, relative, sep } from "node:path";

/**
 * One owner per PGlite folder. PGlite keeps the whole database in one process's memory and
 * writes pages back on its own schedule; a second process opening the same folder (a second
 * `start`, `waymark keys create` next to a running server) works on a stale copy and the two
 * overwrite each other's pages — acknowledged users vanished and indexes were corrupted
 * (issue #12). So whoever opens the folder first holds `waymark.lock` until it closes it.
 *
 * Why not proper-lockfile: it decides staleness by the lock's mtime, which the owner refreshes
 * on a timer. A kill -9'd owner then blocks the next start for the whole stale period (10 s by
 * default), and PGlite runs on the main thread: a long migration or the demo seed can hold the
 * event loop past that period, after which another process may legitimately take a lock whose
 * owner is alive and writing. Liveness by pid has neither problem on one machine — a dead pid
 * is dead at once, a busy one is alive — and the pid is what the refusal message names.
 *
 * The lock file is created whole with link(2) (create-if-absent, atomic, so nobody reads a
 * half-written file). A stale lock (its pid is gone, or the pid now belongs to a process that
 * started later) is removed by the one process that wins `waymark.lock.takeover-<nonce>-<g>`
 * (also link(2)); the winner removes the lock only if it still carries the stale nonce, so two
 * processes racing to replace the same dead owner never both end up holding the folder. A
 * winner that dies mid-takeover leaves its marker behind with a dead pid: the next generation
 * `g + 1` is then free.
 */

export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's start time as the kernel counts it (Linux), to tell a reused pid apart. */
  procStart: string | null;
  /** Unique per acquisition: what a takeover compares before removing a stale lock. */
  nonce: string;
  /** The command holding it: `start` for the server, or a CLI command name. */
  command: string;
  /** Proves to the admin socket that the caller could read this file (mode 0600). */
  token: string;
  at: string;
}

export interface DataDirLock {
  owner: LockOwner;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(`${describeOwner(owner)} is using ${displayPath(dir)}`);
  }
}

export const LOCK_FILE = "waymark.lock";

export function lockPath(dir: string): string {
  return join(dir, LOCK_FILE);
}

/** Takes the folder or throws DataDirLockedError naming the live owner. */
export function acquireDataDirLock(dir: string, command: string): DataDirLock {
  // The first command on a fresh machine may come before the folder exists (`keys create`).
  mkdirSync(dir, { recursive: true });
  const path = lockPath(dir);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    procStart: procStart(process.pid),
    nonce: randomBytes(12).toString("hex"),
    command,
    token: randomBytes(24).toString("base64url"),
    at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (createExclusive(path, JSON.stringify(owner))) {
      removeTakeoverMarkers(path);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        if (readOwner(path)?.nonce === owner.nonce) unlinkQuietly(path);
      };
      // A clean exit (including process.exit after SIGTERM) leaves the folder free; a kill -9
      // leaves the file behind for the next owner's liveness check.
      process.once("exit", release);
      return { owner, release };
    }
    const current = readOwnerOrStale(path);
    if (current === "missing") continue;
    if (isAlive(current)) throw new DataDirLockedError(dir, asOwner(current));
    takeOver(path, current.nonce);
  }
  throw new Error(`could not take ${path}: it keeps changing hands`);
}

/** The live owner of the folder, or null when nobody holds it (or only a dead process did). */
export function liveOwner(dir: string): LockOwner | null {
  const current = readOwnerOrStale(lockPath(dir));
  if (current === "missing" || !isAlive(current)) return null;
  return asOwner(current);
}

/** A file another version wrote may lack fields: it still names a live pid. */
function asOwner(v: LockOwner | Stale): LockOwner {
  return {
    ...v,
    command: v.command ?? "start",
    token: v.token ?? "",
    at: v.at ?? "",
  };
}

export function describeOwner(owner: LockOwner): string {
  const where = owner.host === hostname() ? "" : ` on ${owner.host}`;
  return owner.command === "start"
    ? `the server (pid ${owner.pid}${where})`
    : `\`waymark ${owner.command}\` (pid ${owner.pid}${where})`;
}

/** `./.waymark` when the folder is under the working directory, else the absolute path. */
export function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  if (rel === "") return ".";
  if (rel.startsWith("..") || rel.startsWith(sep)) return dir;
  return `.${sep}${rel}`;
}

function createExclusive(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    unlinkQuietly(tmp);
  }
}

/** Replaces the owner whose nonce is `staleNonce`, unless someone else already does. */
function takeOver(path: string, staleNonce: string) {
  for (let generation = 1; generation <= 50; generation++) {
    const marker = `${path}.takeover-${staleNonce}-${generation}`;
    const me = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      procStart: procStart(process.pid),
    });
    if (createExclusive(marker, me)) {
      try {
        const current = readOwnerOrStale(path);
        // Still the dead owner's file: nobody else can replace it while we hold the marker.
        if (current !== "missing" && current.nonce === staleNonce) unlinkQuietly(path);
      } finally {
        unlinkQuietly(marker);
      }
      return;
    }
    const holder = readOwnerOrStale(marker);
    // The marker's owner finished: look at the lock again.
    if (holder === "missing") return;
    // Another process is replacing the same dead owner right now: let it finish, look again.
    if (isAlive(holder)) {
      sleepSync(10);
      return;
    }
    // It died mid-takeover: the next generation is free.
  }
}

function removeTakeoverMarkers(path: string) {
  const prefix = `${basename(path)}.takeover-`;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    // A marker's temporary file belongs to a process between writing it and linking it:
    // removing it under a live contender made its link fail (ENOENT). Only a dead one's goes.
    const tmp = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (tmp && isAlive({ pid: Number(tmp[1]), host: hostname(), procStart: null })) continue;
    unlinkQuietly(join(dirname(path), name));
  }
}

type Stale = Pick<LockOwner, "pid" | "host" | "procStart" | "nonce"> & Partial<LockOwner>;

/**
 * The file's owner; an unreadable file (a disk that lost its content) counts as a dead owner,
 * keyed by its inode and mtime so that racing takeovers agree on what they replace.
 */
function readOwnerOrStale(path: string): LockOwner | Stale | "missing" {
  let raw: string;
  let stamp: string;
  try {
    raw = readFileSync(path, "utf8");
    const st = statSync(path);
    stamp = `${st.ino}-${Math.round(st.mtimeMs)}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw err;
  }
  const owner = parseOwner(raw);
  return owner ?? { pid: 0, host: hostname(), procStart: null, nonce: `unreadable-${stamp}` };
}

function readOwner(path: string): LockOwner | null {
  const current = readOwnerOrStale(path);
  return current === "missing" || current.token === undefined ? null : asOwner(current);
}

function parseOwner(raw: string): LockOwner | Stale | null {
  try {
    const v = JSON.parse(raw) as Partial<LockOwner> | null;
    if (!v || typeof v.pid !== "number" || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    if (typeof v.host !== "string") return null;
    if (typeof v.nonce !== "string" && v.token === undefined) {
      // A takeover marker: no nonce of its own.
      return { ...v, pid: v.pid, host: v.host, procStart: v.procStart ?? null, nonce: "" };
    }
    if (typeof v.nonce !== "string" || !/^[\w-]+$/.test(v.nonce)) return null;
    return { ...v, pid: v.pid, host: v.host, procStart: v.procStart ?? null, nonce: v.nonce };
  } catch {
    return null;
  }
}

/**
 * Alive unless proven dead: a pid on another host cannot be checked, and a process of another
 * user answers EPERM. On Linux a pid whose start time differs was reused by a newer process, and
 * a zombie (killed, not yet reaped by its parent — common in containers) is dead too.
 */
function isAlive(owner: Pick<LockOwner, "pid" | "host" | "procStart">): boolean {
  if (owner.pid <= 0) return false;
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const now = procStat(owner.pid);
  if (!now) return true;
  if (now.state === "Z" || now.state === "X") return false;
  return !(owner.procStart && now.start !== owner.procStart);
}

function procStart(pid: number): string | null {
  return procStat(pid)?.start ?? null;
}

/** Fields 3 and 22 of /proc/<pid>/stat: the state, and the start in clock ticks since boot. */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [state, start] = [fields[0], fields[19]];
    return state && start ? { state, start } : null;
  } catch {
    return null;
  }
}

function unlinkQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
