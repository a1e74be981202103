import { isConnectionLoss } from "../db/retry.ts";
import type { Logger } from "../log.ts";

/**
 * The last line of defence for long-running commands (`start`, `worker`). Every long-lived
 * database connection handles its own errors (db/listen.ts, realtime/cluster.ts, the pools), so
 * nothing should reach here; if a pg client we missed still emits an unhandled connection error,
 * losing the connection must not take the whole process with it — it is logged as an error
 * (something to fix at its source) and the process keeps serving. Anything else is a bug: it is
 * logged and the process exits non-zero, as Node would, rather than run on in an unknown state.
 */
export function guardProcess(log: Logger): void {
  const handle = (kind: string) => (err: unknown) => {
    if (isConnectionLoss(err)) {
      log.error({ err, kind }, "database connection error reached the process; carrying on");
      return;
    }
    log.fatal({ err, kind }, "unexpected error; exiting");
    process.exitCode = 1;
    // Let pino write the line before the process goes.
    setImmediate(() => process.exit(1));
  };
  process.on("uncaughtException", handle("uncaughtException"));
  process.on("unhandledRejection", handle("unhandledRejection"));
}
