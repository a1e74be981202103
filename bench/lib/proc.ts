import { readFileSync } from "node:fs";

/**
 * What Linux's /proc says about a process, for benches that split CPU and memory between the
 * processes doing the work (workers, a sink, a server, PostgreSQL's backends): readable even for
 * processes the bench did not start, and free of the load other processes put on the machine.
 */

/** utime + stime of a process, ms (clock ticks are 10 ms on Linux); 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const fields = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Peak resident memory of a process (VmHWM), MiB; 0 once it is gone. */
export function peakRssOfPid(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Math.round(Number(line.replace(/\D+/g, "")) / 1024) : 0;
  } catch {
    return 0;
  }
}
