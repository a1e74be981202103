import { io, type Socket } from "socket.io-client";
import type { ClientToServer, ServerToClient } from "./protocol.ts";

export type LiveSocket = Socket<ServerToClient, ClientToServer>;

let shared: LiveSocket | null = null;

/**
 * One socket for the whole console, opened on first use: every live view (canvas counts, the
 * inspector's timeline) subscribes to its room on it. Same origin, so the session cookie
 * authenticates the handshake. Long-polling first (socket.io's default) then the upgrade: a
 * server without socket.io answers the poll with an error, which the views turn into REST
 * polling instead of a console full of failed WebSocket handshakes.
 */
export function liveSocket(): LiveSocket {
  shared ??= io({
    path: "/socket.io",
    withCredentials: true,
    reconnectionDelay: 2_000,
    reconnectionDelayMax: 30_000,
    timeout: 5_000,
  });
  return shared;
}
