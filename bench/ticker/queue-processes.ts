import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { NODE_FLAGS } from "../../server/cli/node-flags.ts";

/**
 * Runs a job-queue baseline's worker processes (`script` with `args`, `count` of them): each
 * prints "ready", starts on "go", prints "done <n>" after each group of steps is written (`meanGroup`: steps per write) and "rss <MiB>"
 * when stopped. Resolves once `users` steps are reported and `settled()` says the queue has
 * finished its own bookkeeping (completions written asynchronously after the handler), so
 * the time covers all the queue's work, as the ticker's covers all of its commits.
 */
export async function runQueueProcesses(
  script: string,
  args: string[],
  count: number,
  users: number,
  settled: () => Promise<void>,
): Promise<{ ms: number; peakRssMiB: number[]; meanGroup: number }> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const rss: Promise<number>[] = [];
  let stepped = 0;
  let groups = 0;
  let allStepped: () => void = () => {};
  const finished = new Promise<void>((done) => (allStepped = done));
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, "--import", "tsx", resolve(import.meta.dirname, script), ...args],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    children.push(child);
    let buffer = "";
    let signalReady: () => void = () => {};
    let reportRss: (mib: number) => void = () => {};
    ready.push(new Promise((done) => (signalReady = done)));
    rss.push(
      new Promise((done) => {
        reportRss = done;
        child.once("exit", () => done(0));
      }),
    );
    child.stdout?.on("data", (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") signalReady();
        else if (line.startsWith("done ")) {
          stepped += Number(line.slice(5));
          groups++;
        } else if (line.startsWith("rss ")) reportRss(Number(line.slice(4)));
      }
      if (stepped >= users) allStepped();
    });
  }
  await Promise.all(ready);
  const started = performance.now();
  for (const c of children) c.stdin?.write("go\n");
  await finished;
  await settled();
  const ms = performance.now() - started;
  for (const c of children) c.kill("SIGTERM");
  const peakRssMiB = await Promise.all(rss);
  await Promise.all(
    children.map(
      (c) => new Promise((done) => (c.exitCode !== null ? done(null) : c.once("exit", done))),
    ),
  );
  return { ms, peakRssMiB, meanGroup: groups ? stepped / groups : 0 };
}

/** Polls `count()` every 10 ms until it is 0: only after the last step is reported. */
export async function untilZero(count: () => Promise<number>): Promise<void> {
  while ((await count()) > 0) await new Promise((done) => setTimeout(done, 10));
}
