import type { IncomingHttpHeaders } from "node:http";
import type { Request } from "express";
import type { Knex } from "knex";
import type { ExtendedError } from "socket.io";
import type { Operator } from "../auth/sessions.ts";
import { authenticate } from "../http/auth.ts";
import type { Logger } from "../log.ts";
import type { RealtimeSocket } from "./protocol.ts";

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

const refusal = (code: "unauthenticated" | "unavailable", message: string): ExtendedError => {
  const err: ExtendedError = new Error(code);
  err.data = { code, message };
  return err;
};

/** socket.io middleware: runs once per connection, before `connection`; refuses with `unauthenticated`. */
export function handshakeAuth(knex: Knex, log: Logger) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    try {
      const { headers, auth } = socket.handshake;
      const operator = await operatorFor(knex, credentialHeaders(headers, auth));
      if (!operator) {
        next(refusal("unauthenticated", "log in, or pass a secret key as auth.token"));
        return;
      }
      socket.data.operator = operator;
      next();
    } catch (err) {
      log.error({ err }, "realtime: authentication failed");
      next(refusal("unavailable", "cannot check credentials right now"));
    }
  };
}
