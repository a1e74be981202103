import { createLogger } from "../../server/log.ts";
import {
  attachRealtime,
  type Realtime,
  type RealtimeOptions,
} from "../../server/realtime/index.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import type { TestDatabase } from "../helpers/databases.ts";

export interface RealtimeApp {
  app: TestApp;
  realtime: Realtime;
  /** One ticker batch whose `onBatch` feeds the realtime publisher, as server.ts wires it. */
  tick: (batchSize?: number) => ReturnType<TestApp["tick"]>;
  close(): Promise<void>;
}

/** The real app on loopback with realtime attached to its HTTP server, over `db`. */
export async function startRealtimeApp(
  db: TestDatabase,
  clock: { now: () => Date },
  options: Partial<Pick<RealtimeOptions, "flushMs" | "resyncMs" | "credentialCheckMs">> = {},
): Promise<RealtimeApp> {
  const app = await startTestApp(db, clock);
  const realtime = await attachRealtime(app.http, {
    knex: db.knex,
    dbKind: db.kind,
    pgUrl: db.url,
    log: createLogger("silent"),
    resyncMs: 0,
    ...options,
  });
  return {
    app,
    realtime,
    tick: (batchSize = 100) =>
      app.tick({ batchSize, onBatch: (stats) => realtime.publisher.publishBatch(stats) }),
    async close() {
      await realtime.close();
      await app.close();
    },
  };
}
