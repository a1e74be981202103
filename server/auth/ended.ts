import { EventEmitter } from "node:events";

/** Credentials that just stopped working. */
export type Ended =
  /** Sessions by stored token hash: a logout, or a password change ending the other sessions. */
  | { kind: "sessions"; sessions: readonly string[] }
  /** Everything an operator signed in with or created: the operator was disabled. */
  | { kind: "operator"; operator: number }
  /**
   * An operator's role changed: their sessions and keys stand (each request reads the role
   * afresh), but their open sockets were authorised with the old role and must reconnect.
   */
  | { kind: "role"; operator: number }
  /** One API key: revoked. */
  | { kind: "key"; key: number };

const emitter = new EventEmitter();
// Each realtime server in the process listens (tests run several): no leak warning for them.
emitter.setMaxListeners(0);

/**
 * The process's announcements of ended credentials: the REST routes that end them announce,
 * realtime (server/realtime/auth.ts) disconnects the sockets they opened, in every process
 * through the socket.io adapter. A process-wide channel rather than an app option because the
 * app and the socket server are built apart (server.ts, the tests) and what is announced is a
 * fact about the database, not about one app; a credential ended any other way (the CLI, expiry)
 * is caught by realtime's periodic re-check instead.
 */
export const credentialsEnded = {
  announce(ended: Ended): void {
    emitter.emit("ended", ended);
  },
  /** Returns the function that stops listening. */
  listen(listener: (ended: Ended) => void): () => void {
    emitter.on("ended", listener);
    return () => emitter.off("ended", listener);
  },
};
