import type { Knex } from "knex";
import { type Gate, ungated } from "../db/gate.ts";
import type { Logger } from "../log.ts";
import { seesMaskedData } from "../privacy/mask.ts";
import { operatorFor, socketRefusal } from "./auth.ts";
import {
  type Ack,
  contactRoom,
  journeyRoom,
  maskedContactRoom,
  mayJoin,
  type RealtimeServer,
  type RealtimeSocket,
  Subscription,
} from "./protocol.ts";
import type { Publisher } from "./publisher.ts";

export interface SubscriptionDeps {
  knex: Knex;
  log: Logger;
  publisher: Publisher;
  snapshotCounts: (journeyId: string) => Promise<Record<string, number>>;
}

const fail = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });

/**
 * `subscribe` / `unsubscribe` for one socket. Each subscribe re-checks the socket's credentials
 * first (server/realtime/auth.ts also ends sockets with their sessions). A journey subscriber
 * gets absolute counts first: pending deltas are flushed to the room's current members, then
 * the counts are read, then the socket joins and gets them — so the deltas it receives
 * afterwards are (up to the few ms the query takes) exactly the batches the counts do not
 * include. The resync in `startResync` heals what that window, other processes' pending flushes
 * and out-of-ticker changes (archiving) miss.
 */
export function handleSubscriptions(socket: RealtimeSocket, deps: SubscriptionDeps): void {
  const reply = (ack: ((r: Ack) => void) | undefined, result: Ack) => {
    if (typeof ack === "function") ack(result);
  };

  socket.on("subscribe", async (payload, ack) => {
    const parsed = Subscription.safeParse(payload);
    if (!parsed.success) {
      reply(ack, fail("invalid_subscription", 'expected { journey: "<id>" } or { contact: <id> }'));
      return;
    }
    try {
      // The session may have ended since the handshake (logout, disable, password change):
      // re-check it, as a REST request with the same cookie would be, before joining anything.
      const operator = await operatorFor(deps.knex, socket.data.credentials);
      const refused = socketRefusal(operator);
      if (refused || !operator) {
        const code = refused?.message ?? "unauthenticated";
        reply(ack, fail(code, "your session has ended; log in again"));
        socket.disconnect(true);
        return;
      }
      socket.data.operator = operator;
      if ("journey" in parsed.data) {
        const journeyId = parsed.data.journey;
        if (!mayJoin(operator, "journey")) return reply(ack, forbidden(operator.role));
        if (!(await exists(deps.knex, "journeys", journeyId)))
          return reply(ack, fail("not_found", `no journey "${journeyId}"`));
        deps.publisher.flush();
        const counts = await deps.snapshotCounts(journeyId);
        if (!socket.connected) return;
        const room = journeyRoom(journeyId);
        await socket.join(room);
        const at = new Date().toISOString();
        socket.emit("counts", { journeyId, absolute: true, counts, at });
        return reply(ack, { ok: true, room });
      }
      const contactId = parsed.data.contact;
      if (!mayJoin(operator, "contact")) return reply(ack, forbidden(operator.role));
      if (!(await exists(deps.knex, "contacts", contactId)))
        return reply(ack, fail("not_found", `no contact ${contactId}`));
      if (!socket.connected) return;
      const room = seesMaskedData(operator.role)
        ? maskedContactRoom(contactId)
        : contactRoom(contactId);
      await socket.join(room);
      return reply(ack, { ok: true, room });
    } catch (err) {
      deps.log.error({ err }, "realtime: subscribe failed");
      reply(ack, fail("unavailable", "cannot subscribe right now"));
    }
  });

  socket.on("unsubscribe", async (payload, ack) => {
    const parsed = Subscription.safeParse(payload);
    if (!parsed.success) {
      reply(ack, fail("invalid_subscription", 'expected { journey: "<id>" } or { contact: <id> }'));
      return;
    }
    if ("journey" in parsed.data) {
      const room = journeyRoom(parsed.data.journey);
      await socket.leave(room);
      return reply(ack, { ok: true, room });
    }
    const clear = contactRoom(parsed.data.contact);
    const masked = maskedContactRoom(parsed.data.contact);
    const joined = socket.rooms.has(masked) ? masked : clear;
    await socket.leave(clear);
    await socket.leave(masked);
    reply(ack, { ok: true, room: joined });
  });
}

const forbidden = (role: string) => fail("forbidden", `the ${role} role cannot subscribe to this`);

async function exists(knex: Knex, table: "journeys" | "contacts", id: string | number) {
  return (await knex(table).where({ id }).first("id")) !== undefined;
}

/**
 * Every `everyMs`, re-sends absolute counts to each journey room with sockets in THIS process
 * (each process heals its own clients, so no count is read twice for one room per process).
 * Returns the stop function, which waits for a round in progress (it reads the database).
 * On PGlite each room's read takes its turn with the ticker's batches (db/gate.ts), so no batch
 * commits between the flush and the read.
 */
export function startResync(
  io: RealtimeServer,
  deps: SubscriptionDeps,
  everyMs: number,
  gate: Gate = ungated,
): () => Promise<void> {
  if (everyMs <= 0) return async () => {};
  let round: Promise<void> | null = null;
  const resync = async () => {
    try {
      const rooms = [...io.of("/").adapter.rooms.keys()].filter((r) => r.startsWith("journey:"));
      for (const room of rooms) {
        const journeyId = room.slice("journey:".length);
        const counts = await gate(() => {
          // As on subscribe: what is pending was committed before the read, so it goes first.
          deps.publisher.flush();
          return deps.snapshotCounts(journeyId);
        });
        const at = new Date().toISOString();
        io.local.to(room).emit("counts", { journeyId, absolute: true, counts, at });
      }
    } catch (err) {
      deps.log.warn({ err }, "realtime: counts resync failed");
    }
  };
  const timer = setInterval(() => {
    if (round) return; // a slow database: skip a round rather than pile them up
    // Cleared in a then-callback, which runs after the assignment even when resync() finished
    // synchronously (no journey rooms).
    round = resync().finally(() => {
      round = null;
    });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await round;
  };
}
