import type { IncomingHttpHeaders } from "node:http";
import type { Request } from "express";
import type { Knex } from "knex";
import type { ExtendedError } from "socket.io";
import { credentialsEnded, type Ended } from "../auth/ended.ts";
import type { Operator } from "../auth/sessions.ts";
import { authenticate } from "../http/auth.ts";
import { crossOriginReason } from "../http/csrf.ts";
import type { Logger } from "../log.ts";
import type { RealtimeServer, RealtimeSocket } from "./protocol.ts";

/**
 * The credentials a handshake carries, as the headers `authenticate` reads: the session cookie
 * (browsers send it on the handshake, same origin), `auth: { token: "sk_…" }` (socket.io's way
 * for clients that cannot set headers, e.g. browsers on websocket) or `Authorization: Bearer`.
 */
export function credentialHeaders(
  headers: IncomingHttpHeaders,
  auth: Record<string, unknown>,
): IncomingHttpHeaders {
  const token = typeof auth.token === "string" ? auth.token.trim() : "";
  return {
    cookie: headers.cookie,
    authorization: token ? `Bearer ${token}` : headers.authorization,
  };
}

/**
 * Resolves the operator with the REST API's own `authenticate`, so a socket is signed in exactly
 * when a request with the same credentials would be. It reads only `headers`; the cast says so
 * rather than building a fake Express request.
 */
export function operatorFor(knex: Knex, headers: IncomingHttpHeaders): Promise<Operator | null> {
  return authenticate(knex, { headers } as Request);
}

type Refusal = "unauthenticated" | "forbidden" | "password_change_required" | "unavailable";

const refusal = (code: Refusal, message: string): ExtendedError => {
  const err: ExtendedError = new Error(code);
  err.data = { code, message };
  return err;
};

/**
 * Why `operator` may not hold a socket (the REST rule for an `any` route), or null. The
 * `metrics` key role reads /metrics and nothing else; an operator on a one-time password may
 * only change it.
 */
export function socketRefusal(operator: Operator | null): ExtendedError | null {
  if (!operator) return refusal("unauthenticated", "log in, or pass a secret key as auth.token");
  if (operator.role === "metrics")
    return refusal("forbidden", "the metrics role cannot open live views");
  if (operator.mustChangePassword)
    return refusal("password_change_required", "choose your own password first");
  return null;
}

/**
 * socket.io middleware: runs once per connection, before `connection`. Refuses handshakes from
 * another origin first — WebSockets are not bound by CORS, so without this a page on another
 * port of the same host read live counts with the victim's cookie — then the credentials.
 */
export function handshakeAuth(knex: Knex, log: Logger) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    try {
      const { headers, auth } = socket.handshake;
      const crossOrigin = crossOriginReason(headers);
      if (crossOrigin) {
        next(refusal("forbidden", `refused: ${crossOrigin}`));
        return;
      }
      const credentials = credentialHeaders(headers, auth);
      const operator = await operatorFor(knex, credentials);
      const refused = socketRefusal(operator);
      if (refused || !operator) {
        next(refused ?? undefined);
        return;
      }
      socket.data.operator = operator;
      socket.data.credentials = credentials;
      next();
    } catch (err) {
      log.error({ err }, "realtime: authentication failed");
      next(refusal("unavailable", "cannot check credentials right now"));
    }
  };
}

/** The rooms a credential's end is announced to (see `credentialsEnded`). */
export function credentialRooms(operator: Operator): string[] {
  const rooms =
    operator.via.kind === "session"
      ? [`session:${operator.via.session}`]
      : [`key:${operator.via.key}`];
  // The operator behind it: disabling them ends their sessions and their keys alike.
  if (operator.id !== null) rooms.push(`operator:${operator.id}`);
  return rooms;
}

function roomsOf(ended: Ended): string[] {
  switch (ended.kind) {
    case "sessions":
      return ended.sessions.map((s) => `session:${s}`);
    case "operator":
    case "role":
      return [`operator:${ended.operator}`];
    case "key":
      return [`key:${ended.key}`];
    default: {
      const never: never = ended;
      return never;
    }
  }
}

/**
 * Ends sockets with their credentials. Each socket joins rooms named after its session or key
 * and operator; a REST route that ends a credential announces it, and the sockets in those rooms
 * are disconnected in every process (through the adapter on PostgreSQL). Every `everyMs`, this
 * process re-checks its sockets' credentials too, for what no route announces: sessions that
 * expire, operators disabled from the CLI. Returns the stop function.
 */
export function enforceCredentials(
  io: RealtimeServer,
  deps: { knex: Knex; log: Logger; everyMs: number },
): () => Promise<void> {
  io.on("connection", (socket) => {
    void socket.join(credentialRooms(socket.data.operator));
  });
  const stopListening = credentialsEnded.listen((ended) => {
    io.in(roomsOf(ended)).disconnectSockets(true);
  });
  let round: Promise<void> | null = null;
  const recheck = async () => {
    try {
      // One query per distinct credential, not per socket: a console tab shares its cookie.
      const byCredential = new Map<string, RealtimeSocket[]>();
      for (const socket of io.of("/").sockets.values()) {
        const c = socket.data.credentials;
        if (!c) continue;
        const id = `${c.cookie ?? ""}\n${c.authorization ?? ""}`;
        byCredential.set(id, [...(byCredential.get(id) ?? []), socket]);
      }
      for (const sockets of byCredential.values()) {
        const first = sockets[0];
        if (!first) continue;
        if (!socketRefusal(await operatorFor(deps.knex, first.data.credentials))) continue;
        for (const socket of sockets) socket.disconnect(true);
      }
    } catch (err) {
      deps.log.warn({ err }, "realtime: credential re-check failed");
    }
  };
  const timer =
    deps.everyMs > 0
      ? setInterval(() => {
          if (round) return;
          round = recheck().finally(() => {
            round = null;
          });
        }, deps.everyMs)
      : null;
  timer?.unref();
  return async () => {
    stopListening();
    if (timer) clearInterval(timer);
    await round;
  };
}
