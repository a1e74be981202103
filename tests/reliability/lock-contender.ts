/**
 * One contender for tests/reliability/data-dir-lock.test.ts: waits for the shared start time,
 * tries to take the folder, prints WON or LOST, holds a won lock for `holdMs`, then exits.
 */
import { acquireDataDirLock, DataDirLockedError } from "../../server/db/lock.ts";

const [dir = "", startAt = "0", holdMs = "1000"] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // spin to the start line, so contenders really race
}
try {
  const lock = acquireDataDirLock(dir, "contender");
  process.stdout.write("WON\n");
  setTimeout(() => lock.release(), Number(holdMs));
} catch (err) {
  if (!(err instanceof DataDirLockedError)) throw err;
  process.stdout.write(`LOST ${err.owner.pid}\n`);
}
