import type { Knex } from "knex";
import {
  io as connectClient,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
} from "socket.io-client";
import { hashPassword } from "../../server/auth/passwords.ts";
import type { Role } from "../../server/auth/sessions.ts";
import type {
  Ack,
  ClientToServerEvents,
  CountsPayload,
  ServerToClientEvents,
  TimelinePayload,
} from "../../server/realtime/protocol.ts";

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const opened = new Set<Client>();

/**
 * A real socket.io client on loopback. Resolves once connected; rejects with the server's refusal
 * (`connect_error`). Websocket only: no long-polling requests left pending between tests.
 */
export function connect(
  url: string,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<Client> {
  const socket: Client = connectClient(url, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...options,
  });
  opened.add(socket);
  return new Promise((done, fail) => {
    socket.once("connect", () => done(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      fail(err);
    });
  });
}

/** Closes every client `connect` opened; call in afterAll. */
export function closeClients(): void {
  for (const socket of opened) socket.close();
  opened.clear();
}

export function subscribe(socket: Client, payload: unknown): Promise<Ack> {
  return socket.timeout(5000).emitWithAck("subscribe", payload);
}

/** Records every `name` event from now on, for assertions on order and count. */
export function record(socket: Client, name: "counts"): CountsPayload[];
export function record(socket: Client, name: "timeline"): TimelinePayload[];
export function record(socket: Client, name: "counts" | "timeline") {
  if (name === "counts") {
    const seen: CountsPayload[] = [];
    socket.on("counts", (payload) => seen.push(payload));
    return seen;
  }
  const seen: TimelinePayload[] = [];
  socket.on("timeline", (payload) => seen.push(payload));
  return seen;
}

/** Polls `check` until it passes (vitest's expect inside), or throws its last failure. */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((done) => setTimeout(done, 20));
    }
  }
}

/** Creates an operator and logs in through POST /api/session; returns the Cookie header. */
export async function signIn(knex: Knex, url: string, role: Role): Promise<string> {
  const email = `${role}-${Math.random().toString(36).slice(2)}@example.test`;
  const password = "correct horse battery staple";
  await knex("operators").insert({
    email,
    name: role,
    role,
    password_hash: await hashPassword(password),
  });
  const res = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("login set no cookie");
  return cookie;
}
